using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.IntegrationTests.Fuzz;
using Warren.IntegrationTests.Interop;
using Warren.IntegrationTests.Reliability;
using Warren.IntegrationTests.Rpc;
using Warren.IntegrationTests.Runtime;

namespace Warren.IntegrationTests.Generated;

/// <summary>Starts this assembly's generated application with every service its consumers and servers need.</summary>
internal static class GeneratedHost
{
    public static Task<TestApp> StartAsync(string url, string name = "generated-app", Action<WarrenBuilder>? configure = null, Action<WarrenOptions>? options = null, Recorder? recorder = null, Gates? gates = null, Attempts? attempts = null, LogSink? logs = null) =>
        TestApp.StartAsync(url, w =>
        {
            w.Services.AddSingleton(recorder ?? new Recorder());
            w.Services.AddSingleton(gates ?? new Gates());
            w.Services.AddSingleton(attempts ?? new Attempts());
            w.Services.AddSingleton(new ServerName(name));
            w.Services.AddSingleton<NoteBook>();
            w.Services.AddSingleton<BatchLog>(); // a test's own instance, registered in configure, wins
            w.Services.AddSingleton<InteropInbox>(); // a test's own instance, registered in configure, wins
            w.Services.AddSingleton<FuzzProbe>();
            w.AddGeneratedHandlers();
            configure?.Invoke(w);
        }, options, logs);
}
