using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Warren.Generators.Tests.Random;

/// <summary>
/// A random user program: messages, consumers with handlers, publishers and RPC services, each described by small
/// integer choices. Choice 0 is always the plainest valid shape, so shrinking towards zeros gives the simplest failing
/// program. <see cref="Render"/> writes C# that is valid on its own except where the choices ask for what Warren must
/// reject (a private message, two servers, a wildcard on a direct exchange…): a program's only compile errors are
/// ones Warren is expected to explain.
/// </summary>
internal sealed record ShapeProgram(int[][] Messages, (int[] Class, int[][] Handlers)[] Consumers, (int[] Interface, int[][] Methods)[] Publishers, (int[] Service, int[][] Methods)[] Services, int[] Json)
{
    private static readonly string[] PropertyTypes = ["string", "int", "System.Guid", "Tier", "bool", "int?", "char", "decimal", "double", "System.DateTime", "long"];
    private static readonly string[] ExchangeKinds = ["Topic", "Direct", "Fanout", "Headers"];

    public string Render()
    {
        var s = new StringBuilder();

        // The user's own uses of obsolete types are the user's to suppress; generated files never warn about them.
        s.AppendLine("#pragma warning disable CS0612, CS0618");
        s.AppendLine("using System;");
        s.AppendLine("using System.Collections.Generic;");
        s.AppendLine("using System.Text.Json.Serialization;");
        s.AppendLine("using System.Threading;");
        s.AppendLine("using System.Threading.Tasks;");
        s.AppendLine("using Warren;");
        s.AppendLine();
        s.AppendLine("namespace App;");
        s.AppendLine();
        s.AppendLine("public enum Tier { Gold, Silver }");
        s.AppendLine("public sealed record Envelope<T>(T Body);");
        s.AppendLine("public sealed record Plain(string Id);");
        var json = new List<string>();
        for (var i = 0; i < Messages.Length; i++)
        {
            RenderMessage(s, i, Messages[i], json);
        }

        for (var i = 0; i < Consumers.Length; i++)
        {
            RenderConsumer(s, i, Consumers[i].Class, Consumers[i].Handlers, json);
        }

        for (var i = 0; i < Publishers.Length; i++)
        {
            RenderPublisher(s, i, Publishers[i].Interface, Publishers[i].Methods, json);
        }

        for (var i = 0; i < Services.Length; i++)
        {
            RenderService(s, i, Services[i].Service, Services[i].Methods, json);
        }

        // Most types are listed; a choice drops some (WRN019), and the context may be missing altogether.
        // (A context without types gets no code from the System.Text.Json generator, Warren or not: Plain is always there.)
        // Nor does a user list a file-local type (or a list of one): the System.Text.Json generator could not name it.
        // Nor a type marked [Obsolete] as an error or [Experimental] (without NoWarn): that generator's code would not compile.
        var fileLocal = Enumerable.Range(0, Messages.Length).Where(i => Pick(Messages[i], 0, 7) == 5 || Pick(Messages[i], 7, 6) is 2 or 3).Select(i => new System.Text.RegularExpressions.Regex($"\\bM{i}\\b")).ToList();
        var listed = json.Distinct().Where((_, i) => Pick(Json, i, 8) != 7).Where(t => !fileLocal.Any(f => f.IsMatch(t))).Prepend("Plain").Distinct().ToList();
        if (Pick(Json, 20, 12) != 11)
        {
            s.AppendLine();
            foreach (var type in listed)
            {
                s.AppendLine($"[JsonSerializable(typeof({type}))]");
            }

            s.AppendLine("internal sealed partial class AppJson : JsonSerializerContext;");
        }

        return s.ToString();
    }

    /// <summary>The message type a handler, publisher or RPC method with choice <paramref name="choice"/> uses.</summary>
    private string MessageType(int choice, List<string> json)
    {
        if (Messages.Length == 0)
        {
            json.Add("Plain");
            return "Plain";
        }

        var index = choice % Messages.Length;
        var kind = Pick(Messages[index], 0, 7);
        var type = kind switch
        {
            3 => $"Outer{index}.M{index}",
            6 => $"Envelope<M{index}>",
            _ => $"M{index}",
        };
        json.Add(type);
        return type;
    }

    private static void RenderMessage(StringBuilder s, int i, int[] c, List<string> json)
    {
        var property = PropertyTypes[Pick(c, 1, PropertyTypes.Length)];
        var attributes = new StringBuilder();
        if (Pick(c, 2, 5) is var exchange and > 0)
        {
            attributes.Append($"[Exchange(\"ex{Pick(c, 3, 2)}\", ExchangeKind.{ExchangeKinds[exchange - 1]})] ");
        }

        var topic = Pick(c, 4, 8) switch
        {
            1 => $"m{i}.created",
            2 => $"m{i}.{{P}}",
            3 => $"m{i}.{{Missing}}",
            4 => $"m{i}.*",
            5 => "a..b",
            6 => $"m{i}.{{P}}.{{Id}}",
            _ => null,
        };
        if (topic is not null)
        {
            attributes.Append($"[Topic(\"{topic}\")] ");
        }

        attributes.Append(Pick(c, 5, 4) switch
        {
            1 => $"[Message(\"contract.{i}\")] ",
            2 => "[Message(\"same\")] ",
            _ => string.Empty,
        });
        attributes.Append(Pick(c, 7, 6) switch
        {
            1 => "[Obsolete] ",
            2 => "[Obsolete(\"gone\", true)] ",
            3 => "[System.Diagnostics.CodeAnalysis.Experimental(\"EXP1\")] ",
            _ => string.Empty,
        });
        attributes.Append(Pick(c, 6, 5) switch
        {
            1 => "[Priority(5)] ",
            2 => "[Priority(20)] ",
            3 => "[Priority(300)] ",
            _ => string.Empty,
        });
        var body = $"(string Id, {property} P)";
        s.AppendLine(Pick(c, 0, 7) switch
        {
            1 => $"{attributes}public readonly record struct M{i}{body};",
            2 => $"{attributes}public sealed class M{i} {{ public string Id {{ get; set; }} = \"\"; public {property} P {{ {(Pick(c, 7, 6) == 4 ? "private " : string.Empty)}get; set; }} = default!; }}",
            3 => $"public static class Outer{i} {{ {attributes}public sealed record M{i}{body}; }}",
            4 => $"{attributes}public sealed record M{i}{body};",
            5 => $"{attributes}file sealed record M{i}{body};",
            _ => $"{attributes}public sealed record M{i}{body};",
        });
        json.Add(Pick(c, 0, 7) == 3 ? $"Outer{i}.M{i}" : $"M{i}");
    }

    private void RenderConsumer(StringBuilder s, int i, int[] c, int[][] handlers, List<string> json)
    {
        var queue = Pick(c, 7, 4) switch
        {
            1 => "[Obsolete] ",
            2 => "[Obsolete(\"gone\", true)] ",
            _ => string.Empty,
        };
        queue += Pick(c, 1, 5) switch
        {
            1 => $"[Queue(\"q{i}\"{QueueOptions(c)})] ",
            2 => $"[Queue(\"shared\"{QueueOptions(c)})] ",
            3 => "[Queue(\"q0.dlq\")] ",
            4 => $"[Queue(\"q{i}\", Prefetch = {Choose(c, 2, 1, 70000, -1, 10)}, Concurrency = {Choose(c, 3, 2, -1, 20, 1)})] ",
            _ => string.Empty,
        };
        queue += Pick(c, 4, 5) switch
        {
            1 => "[DeadLetter(MaxRetries = 2, RetryDelays = new[] { \"1s\", \"5s\" })] ",
            2 => "[DeadLetter(Enabled = false)] ",
            3 => $"[DeadLetter(Queue = \"q{i}\")] ",
            4 => "[DeadLetter(RetryDelays = new[] { \"soon\" }, MaxRetries = 1)] ",
            _ => string.Empty,
        };
        queue += Pick(c, 5, 4) switch
        {
            1 => "[Priority(Max = 10)] ",
            2 => "[Priority(Max = 0)] ",
            _ => string.Empty,
        };
        var shape = Pick(c, 0, 7);
        var isStatic = shape == 2;
        var members = new StringBuilder();
        var used = new HashSet<string>();
        for (var h = 0; h < handlers.Length; h++)
        {
            members.Append(Handler(handlers[h], h, isStatic, used, json));
        }

        s.AppendLine(shape switch
        {
            1 => $"public static class Nest{i} {{ {queue}public sealed class C{i} {{ {members}}} }}",
            2 => $"{queue}public static class C{i} {{ {members}}}",
            3 => $"{queue}public sealed class C{i}<T> {{ {members}}}",
            4 => $"public {(Pick(c, 7, 4) == 3 ? string.Empty : "abstract ")}class Base{i} {{ {members}}} {queue}public sealed class C{i} : Base{i} {{ }}",
            5 => $"{queue}file sealed class C{i} {{ {members}}}",
            6 => $"{queue}internal sealed class C{i}(IServiceProvider services) {{ public IServiceProvider Services => services; {members}}}",
            _ => $"{queue}public sealed class C{i} {{ {members}}}",
        });
    }

    private static string QueueOptions(int[] c) => Pick(c, 6, 6) switch
    {
        1 => ", Prefetch = 10, Concurrency = 2",
        2 => ", Prefetch = 1, Concurrency = 4",
        3 => ", Type = QueueType.Quorum, Exclusive = true",
        4 => ", MessageTtl = \"1h\", MaxLength = 100, Overflow = QueueOverflow.RejectPublishDlx",
        5 => ", Type = QueueType.Quorum, DeliveryLimit = 2",
        _ => string.Empty,
    };

    private string Handler(int[] c, int index, bool isStatic, HashSet<string> used, List<string> json)
    {
        // By default each handler of a class takes another message (two for one type is WRN006).
        var message = Pick(c, 7, 5) switch
        {
            3 => "ReadOnlySpan<byte>",
            4 => Add(json, MessageType(Pick(c, 0, 8) + index, json) + "[]"),
            _ => MessageType(Pick(c, 0, 8) + index, json),
        };
        var name = Pick(c, 1, 4) switch
        {
            1 => "ConsumeAsync",
            2 => $"On{index}",
            3 => "Handle",
            _ => "Handle",
        };
        var parameters = Pick(c, 3, 6) switch
        {
            1 => $"{message} m, CancellationToken ct",
            2 => $"MessageContext context, {message}? m, CancellationToken ct",
            3 => $"{message} m, {message} other",
            4 => "CancellationToken ct",
            5 => $"ref {message} m",
            _ => $"{message} m",
        };

        // Overloads with the same parameter types would not compile: such a handler gets another name.
        if (!used.Add(name + "(" + parameters + ")"))
        {
            name = $"On{index}";
            used.Add(name + "(" + parameters + ")");
        }

        var binding = Pick(c, 4, 7) switch
        {
            1 => "[Topic(\"m0.*\")] ",
            2 => "[Topic(\"m0.#\")] [Topic(\"other.key\")] ",
            3 => "[Topic(\"a.{x}\")] ",
            4 => "[Headers(\"kind=pdf\")] ",
            5 => "[Topic(\"m0.created\")] [DeadLetter(MaxRetries = 1)] ",
            6 => "[Topic(\"bad..key\")] ",
            _ => name.StartsWith("On") ? "[Topic(\"m0.created\")] " : string.Empty,
        };
        var access = Pick(c, 2, 4) switch
        {
            1 => "private ",
            2 => "internal ",
            _ => "public ",
        };
        var modifiers = access + (isStatic || Pick(c, 6, 5) == 4 ? "static " : string.Empty);

        // An async method cannot take a ref parameter (a compile error Warren has nothing to do with).
        var returnChoice = Pick(c, 3, 6) == 5 && Pick(c, 5, 6) is 3 or 5 ? 0 : Pick(c, 5, 6);
        var returns = returnChoice switch
        {
            1 => "ValueTask " + $"{name}({parameters}) => default;",
            2 => "void " + $"{name}({parameters}) {{ }}",
            3 => "async void " + $"{name}({parameters}) => await Task.Yield();",
            4 => "int " + $"{name}({parameters}) => 1;",
            5 => "async Task " + $"{name}({parameters}) => await Task.Yield();",
            _ => "Task " + $"{name}({parameters}) => Task.CompletedTask;",
        };
        var obsolete = Pick(c, 7, 5) switch
        {
            1 => "[Obsolete] ",
            2 => "[Obsolete(\"gone\", true)] ",
            _ => string.Empty,
        };
        return $"{obsolete}{binding}{modifiers}{returns} ";
    }

    private void RenderPublisher(StringBuilder s, int i, int[] c, int[][] methods, List<string> json)
    {
        var members = new StringBuilder();
        for (var m = 0; m < methods.Length; m++)
        {
            var mc = methods[m];
            // Now and then the body itself: text or bytes, routed by the interface's [Exchange] and the method's [Topic].
            var message = Pick(mc, 7, 5) == 3 ? "Span<byte>" : Pick(mc, 4, 5) switch
            {
                1 => "string",
                2 => "byte[]",
                3 => "ReadOnlyMemory<byte>",
                _ => MessageType(Pick(mc, 0, 8), json),
            };
            var parameters = Pick(mc, 1, 6) switch
            {
                1 => $"{message} evt, CancellationToken ct = default",
                2 => $"{message} evt, PublishOptions options, CancellationToken ct = default",
                3 => $"{message}? evt, PublishOptions? options = null",
                4 => $"{message} a, {message} b",
                5 => "CancellationToken ct",
                _ => $"{message} {(Pick(mc, 7, 5) == 2 ? "_publisher" : "evt")}",
            };
            var topic = Pick(mc, 2, 5) switch
            {
                1 => "[Topic(\"p.constant\")] ",
                2 => "[Topic(\"p.{P}\")] ",
                3 => "[Topic(\"p.*\")] ",
                4 => "[Topic(\"p.{Nope}\")] ",
                _ => string.Empty,
            };
            var returns = Pick(mc, 3, 4) switch
            {
                1 => "Task",
                2 => "void",
                3 => "int",
                _ => "ValueTask",
            };
            var obsolete = Pick(mc, 7, 5) switch
            {
                1 => "[Obsolete] ",
                4 => "[Obsolete(\"gone\", true)] ",
                _ => string.Empty,
            };
            members.Append($"{obsolete}{topic}{returns} Send{m}({parameters}); ");
        }

        var exchange = Pick(c, 1, 3) switch
        {
            1 => "[Exchange(\"px\", ExchangeKind.Fanout, Durable = false)] ",
            2 => "[Exchange(\"py\", ExchangeKind.Direct)] ",
            _ => string.Empty,
        };
        if (Pick(c, 0, 3) == 1)
        {
            s.AppendLine($"{exchange}public interface IBasePublisher{i} {{ {members}}} [Publisher] public partial interface IPublisher{i} : IBasePublisher{i} {{ }}");
        }
        else
        {
            s.AppendLine($"{(Pick(c, 7, 3) == 1 ? "[Obsolete] " : string.Empty)}[Publisher] {exchange}public partial interface IPublisher{i} {{ {members}}}");
        }
    }

    private void RenderService(StringBuilder s, int i, int[] c, int[][] methods, List<string> json)
    {
        var declarations = new StringBuilder();
        var implementations = new StringBuilder();
        var signatures = new HashSet<string>();
        for (var m = 0; m < methods.Length; m++)
        {
            var mc = methods[m];
            var request = Pick(mc, 0, 5) switch
            {
                1 => Add(json, "string"),
                2 => Add(json, "int"),
                _ => MessageType(Pick(mc, 4, 8), json),
            };
            var response = MessageType(Pick(mc, 4, 8) + 1, json);
            var (returns, body) = Pick(mc, 1, 8) switch
            {
                1 => ($"ValueTask<{response}>", "default"),
                2 => ("Task", "Task.CompletedTask"),
                3 => ("ValueTask", "default"),
                4 => ($"{response}?", "default"),
                5 => ($"Task<{Add(json, "int")}>", "Task.FromResult(1)"),
                6 => ($"Task<{response}?>", $"Task.FromResult<{response}?>(default)"),
                7 => ($"Task<List<{response}>>", $"Task.FromResult(new List<{response}>())"),
                _ => ($"Task<{response}>", $"Task.FromResult<{response}>(default!)"),
            };
            if (Pick(mc, 1, 8) == 7)
            {
                json.Add($"List<{response}>");
            }

            var name = Pick(mc, 2, 4) switch
            {
                1 => "Get",
                2 => "GetAsync",
                _ => $"Call{m}",
            };
            var parameters = Pick(mc, 3, 4) switch
            {
                1 => $"{request} request, CancellationToken ct = default",
                2 => $"{request} a, {request} b",
                3 => $"{request} @params, CancellationToken @event",
                _ => $"{request} request",
            };

            // Two methods with one signature would not compile: the later one is renamed.
            var shape = Pick(mc, 3, 4) switch { 1 or 3 => "request,token", 2 => "request,request", _ => "request" };
            if (!signatures.Add($"{name}({request}:{shape})"))
            {
                name = $"Call{m}";
                signatures.Add($"{name}({request}:{shape})");
            }

            declarations.Append($"{returns} {name}({parameters}); ");
            var implementation = parameters.Replace(" = default", string.Empty, System.StringComparison.Ordinal);
            implementations.Append($"public {returns} {name}({implementation}) => {body}; ");
        }

        var settings = Pick(c, 1, 4) switch
        {
            1 => ", Prefetch = 1, Concurrency = 4",
            2 => ", Prefetch = -1",
            3 => ", Timeout = \"soon\"",
            _ => string.Empty,
        };
        // Now and then obsolete, or of the same name as another service (two services on one queue, WRN036).
        var obsolete = Pick(c, 7, 3) == 1 ? "[Obsolete] " : string.Empty;
        s.AppendLine($"{obsolete}[RpcService(\"svc{(Pick(c, 7, 3) == 2 ? 0 : i)}\"{settings})] public interface IService{i} {{ {declarations}}}");
        var servers = Pick(c, 0, 4);
        for (var server = 0; server < (servers == 3 ? 0 : servers + 1) && server < 2; server++)
        {
            s.AppendLine($"public sealed class Service{i}Server{server} : IService{i} {{ {implementations}}}");
        }
    }

    private static string Add(List<string> json, string type)
    {
        json.Add(type);
        return type;
    }

    private static int Choose(int[] c, int index, params int[] values) => values[Pick(c, index, values.Length)];

    /// <summary>Choice <paramref name="index"/> among <paramref name="options"/>; missing choices are 0.</summary>
    private static int Pick(int[] choices, int index, int options) => index < choices.Length ? choices[index] % options : 0;
}
