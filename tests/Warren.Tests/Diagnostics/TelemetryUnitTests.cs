using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using CsCheck;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace Warren.Tests.Diagnostics;

public sealed class TraceContextTests
{
    [Fact]
    public void A_context_written_as_text_is_read_back_from_the_bytes_the_client_delivers()
    {
        var gen = Gen.Select(Gen.Byte.Array[16], Gen.Byte.Array[8], Gen.Bool, Gen.String.AlphaNumeric);
        Property.ForAll(
            gen,
            200,
            c =>
            {
                var (traceBytes, spanBytes, sampled, state) = c;
                if (traceBytes.All(b => b == 0) || spanBytes.All(b => b == 0))
                {
                    return; // all-zero ids are invalid in W3C trace context
                }

                using var activity = new Activity("test");
                activity.SetParentId(ActivityTraceId.CreateFromBytes(traceBytes), ActivitySpanId.CreateFromBytes(spanBytes), sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
                activity.TraceStateString = state.Length == 0 ? null : "k=" + state;
                activity.Start();
                var headers = new Dictionary<string, object?>();
                TraceContext.Inject(activity, headers);
                Assert.Equal(activity.Id, headers["traceparent"]);

                // What arrives over AMQP: long strings become byte arrays.
                var delivered = headers.ToDictionary(h => h.Key, h => (object?)Encoding.UTF8.GetBytes((string)h.Value!));
                var context = TraceContext.Extract(delivered);
                Assert.Equal(activity.TraceId, context.TraceId);
                Assert.Equal(activity.SpanId, context.SpanId);
                Assert.Equal(activity.ActivityTraceFlags, context.TraceFlags);
                Assert.Equal(activity.TraceStateString, context.TraceState);
                Assert.True(context.IsRemote);
                Assert.Equal(context, TraceContext.Extract(headers)); // and as strings, from another client
            },
            c => $"trace {Convert.ToHexString(c.Item1)}, span {Convert.ToHexString(c.Item2)}, sampled {c.Item3}, state '{c.Item4}'");
        Assert.Equal(200, Property.LastCount);
    }

    [Fact]
    public void A_traceparent_written_as_bytes_is_the_UTF8_of_the_activity_id_with_its_defined_flags_and_reads_back_as_its_context()
    {
        var gen = Gen.Select(Gen.Byte.Array[16], Gen.Byte.Array[8], Gen.Byte[0, 127], Gen.String.AlphaNumeric);
        var buffer = TraceContext.NewTraceParentBuffer();
        Property.ForAll(
            gen,
            200,
            c =>
            {
                var (traceBytes, spanBytes, flags, state) = c;
                if (traceBytes.All(b => b == 0) || spanBytes.All(b => b == 0))
                {
                    return; // all-zero ids are invalid in W3C trace context
                }

                using var activity = new Activity("test");
                activity.SetParentId(ActivityTraceId.CreateFromBytes(traceBytes), ActivitySpanId.CreateFromBytes(spanBytes), (ActivityTraceFlags)flags);
                activity.TraceStateString = state.Length == 0 ? null : "k=" + state;
                activity.Start();

                // Stale content from an earlier message must not survive.
                Array.Fill(buffer, (byte)'x');
                var headers = new Dictionary<string, object?> { ["tracestate"] = "stale=1" };
                TraceContext.Inject(TraceContext.Of(activity), headers, buffer);
                Assert.Same(buffer, headers["traceparent"]);
                // The activity's id with its flags as version 00 defines them: only the sampled bit.
                var sampled = (activity.ActivityTraceFlags & ActivityTraceFlags.Recorded) != 0;
                Assert.Equal(activity.Id![..53] + (sampled ? "01" : "00"), Encoding.UTF8.GetString(buffer));
                Assert.Equal(activity.TraceStateString, headers.TryGetValue("tracestate", out var written) ? (string?)written : null);

                var context = TraceContext.Extract(headers);
                Assert.Equal(activity.TraceId, context.TraceId);
                Assert.Equal(activity.SpanId, context.SpanId);
                Assert.Equal(activity.ActivityTraceFlags & ActivityTraceFlags.Recorded, context.TraceFlags);
                Assert.Equal(activity.TraceStateString, context.TraceState);
            },
            c => $"trace {Convert.ToHexString(c.Item1)}, span {Convert.ToHexString(c.Item2)}, flags {c.Item3:x2}, state '{c.Item4}'");
        Assert.Equal(200, Property.LastCount);
    }

    [Theory]
    [InlineData(0x00, "00")]
    [InlineData(0x01, "01")]
    [InlineData(0x02, "00")]
    [InlineData(0x03, "01")]
    [InlineData(0xFE, "00")]
    [InlineData(0xFF, "01")]
    public void A_traceparent_carries_only_the_sampled_flag_version_00_defines(int flags, string written)
    {
        // Flags as a producer of a later version may have sent them: passed on, they must not claim meanings 00 lacks.
        var context = new ActivityContext(ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c"), ActivitySpanId.CreateFromString("b7ad6b7169203331"), (ActivityTraceFlags)flags, null, isRemote: true);
        var headers = new Dictionary<string, object?>();
        TraceContext.Inject(context, headers);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-" + written, headers["traceparent"]);

        var buffer = TraceContext.NewTraceParentBuffer();
        TraceContext.Inject(context, headers, buffer);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-" + written, Encoding.ASCII.GetString(buffer));
    }

    [Theory]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-comes-next", true)]
    [InlineData("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-", true)]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x", false)] // no dash after the first 55
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-011", false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-more", false)] // version 00 is exactly 55
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-more", false)]
    [InlineData("01-0af7651916cd43dd8448eb211c80319C-b7ad6b7169203331-01-more", false)] // the first 55 are still checked
    public void A_traceparent_of_a_later_version_is_read_from_its_first_55_characters_when_a_dash_follows(string text, bool valid)
    {
        Assert.Equal(valid, TraceContext.TryParse(Encoding.UTF8.GetBytes(text), null, out var context));
        var expected = valid ? context : default;
        Assert.Equal(valid ? "0af7651916cd43dd8448eb211c80319c" : "00000000000000000000000000000000", context.TraceId.ToHexString());
        Assert.Equal(valid ? "b7ad6b7169203331" : "0000000000000000", context.SpanId.ToHexString());
        Assert.Equal(valid ? Convert.ToInt32(text[53..55], 16) : 0, (int)context.TraceFlags);

        // As bytes (how RabbitMQ.Client delivers a long string) and as a string (another client's table).
        Assert.Equal(expected, TraceContext.Extract(new Dictionary<string, object?> { ["traceparent"] = Encoding.UTF8.GetBytes(text) }));
        Assert.Equal(expected, TraceContext.Extract(new Dictionary<string, object?> { ["traceparent"] = text }));
    }

    [Fact]
    public void A_traceparent_is_not_written_as_bytes_for_an_activity_without_a_W3C_id()
    {
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.Hierarchical).Start();
        var headers = new Dictionary<string, object?>();
        Assert.False(TraceContext.TryWriteTraceParent(TraceContext.Of(activity), TraceContext.NewTraceParentBuffer()));
        TraceContext.Inject(TraceContext.Of(activity), headers, TraceContext.NewTraceParentBuffer());
        Assert.Empty(headers);
    }

    [Fact]
    public void The_bytes_of_a_traceparent_are_read_as_ActivityContext_reads_its_text_with_the_W3C_separators_checked()
    {
        // Valid headers with a few characters replaced by ones that break the format (upper case, non-hex, dashes,
        // zeros), so both the accepted and the refused cases are well covered.
        const string Valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var edit = Gen.Select(Gen.Int[0, 54], Gen.Int[0, 9].Select(i => "09afAFg- z"[i]));
        var gen = Gen.Select(Gen.Byte.Array[16], Gen.Byte.Array[8], Gen.Byte, edit.Array[0, 3], Gen.Bool).Select(c =>
        {
            var (trace, span, flags, edits, zeroTrace) = c;
            var text = $"00-{(zeroTrace ? new string('0', 32) : Convert.ToHexStringLower(trace))}-{Convert.ToHexStringLower(span)}-{flags:x2}".ToCharArray();
            foreach (var (index, replacement) in edits)
            {
                text[index] = replacement;
            }

            return new string(text);
        });
        var accepted = 0;
        Property.ForAll(
            gen,
            500,
            text =>
            {
                // ActivityContext.TryParse does not check the dashes; W3C trace context (and Warren) does.
                var expected = ActivityContext.TryParse(text, "k=v", isRemote: true, out var context) && text[2] == '-' && text[35] == '-' && text[52] == '-';
                Assert.Equal(expected, TraceContext.TryParse(Encoding.UTF8.GetBytes(text), "k=v", out var fromBytes));
                Assert.Equal(expected ? context : default, fromBytes);
                Assert.Equal(expected ? context : default, TraceContext.Extract(new Dictionary<string, object?> { ["traceparent"] = Encoding.UTF8.GetBytes(text), ["tracestate"] = "k=v" }));
                Assert.Equal(expected ? context : default, TraceContext.Extract(new Dictionary<string, object?> { ["traceparent"] = text, ["tracestate"] = "k=v" }));
                accepted += expected ? 1 : 0;
            },
            text => $"traceparent '{text}'");
        Assert.Equal(500, Property.LastCount);
        Assert.InRange(accepted, 50, 450);
        Assert.True(ActivityContext.TryParse(Valid, null, out _));
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true)]
    [InlineData("fe-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-ff", true)]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false)] // version ff is invalid
    [InlineData("00-0af7651916cd43dd-448eb211c80319c-b7ad6b7169203331-01", false)] // a fourth dash inside the trace id
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b71-9203331-01", false)] // a fourth dash inside the span id
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0-", false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319C-b7ad6b7169203331-01", false)] // upper case
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0A", false)]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01", false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", false)]
    [InlineData("00-00000000000000000000000000000001-0000000000000001-00", true)]
    [InlineData("00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false)]
    public void A_traceparent_is_read_from_its_bytes_only_when_every_byte_is_where_W3C_puts_it(string text, bool valid)
    {
        Assert.Equal(valid, TraceContext.TryParse(Encoding.UTF8.GetBytes(text), null, out var context));
        Assert.Equal(valid ? text[3..35] : "00000000000000000000000000000000", context.TraceId.ToHexString());
        Assert.Equal(valid ? text[36..52] : "0000000000000000", context.SpanId.ToHexString());
        Assert.Equal(valid ? Convert.ToInt32(text[53..], 16) : 0, (int)context.TraceFlags);
    }

    [Fact]
    public void A_traceparent_with_any_foreign_byte_at_any_position_or_a_missing_byte_is_unreadable()
    {
        // Any byte outside lower-case hex and the dashes, at any position, makes it unreadable; so does a missing byte.
        var bytes = Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        Assert.True(TraceContext.TryParse(bytes, null, out _));
        foreach (var foreign in new byte[] { 0, (byte)' ', (byte)'g', (byte)'G', (byte)'/', (byte)':', (byte)'`', 0x7F, 0x80, 0xC3, 0xFF })
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                var copy = (byte[])bytes.Clone();
                copy[i] = foreign;
                Assert.False(TraceContext.TryParse(copy, null, out _), $"byte 0x{foreign:x2} at {i}");
            }
        }

        Assert.False(TraceContext.TryParse(bytes.AsSpan(0, 54), null, out _));
    }

    [Fact]
    public void The_vectorized_traceparent_check_agrees_with_a_byte_by_byte_reading_of_the_W3C_format()
    {
        // Near-valid: a well-formed traceparent (any version, ids and flags, now and then all-zero ids) with up to three
        // bytes replaced by any byte or by one of the characters that sit at the edges of the accepted ranges; and
        // plain random bytes, nearly always refused.
        var hex = Gen.Int[0, 15].Select(i => (byte)"0123456789abcdef"[i]);
        var edge = Gen.Int[0, 14].Select(i => (byte)"-09afAFgG/:`{ \0"[i]);
        var replacement = Gen.Frequency((1, Gen.Byte), (2, edge), (1, hex));
        var nearValid = Gen.Select(hex.Array[55], Gen.Int[0, 4], replacement.Array[0, 3], Gen.Int[0, 54].Array[3]).Select(c =>
        {
            var (bytes, zeros, replacements, positions) = c;
            bytes[2] = bytes[35] = bytes[52] = (byte)'-';
            if (zeros == 0)
            {
                bytes.AsSpan(3, 32).Fill((byte)'0');
            }
            else if (zeros == 1)
            {
                bytes.AsSpan(36, 16).Fill((byte)'0');
            }

            for (var i = 0; i < replacements.Length; i++)
            {
                bytes[positions[i]] = replacements[i];
            }

            return bytes;
        });
        var gen = Gen.Frequency((4, nearValid), (1, Gen.Byte.Array[55]));
        var accepted = 0;
        Property.ForAll(
            gen,
            5_000,
            bytes =>
            {
                var expected = ReadsAsW3CTraceParent(bytes);
                Assert.Equal(expected, TraceContext.TryParse(bytes, null, out var context));
                if (expected)
                {
                    Assert.Equal(Encoding.ASCII.GetString(bytes, 3, 32), context.TraceId.ToHexString());
                    Assert.Equal(Encoding.ASCII.GetString(bytes, 36, 16), context.SpanId.ToHexString());
                    Assert.Equal(Convert.ToInt32(Encoding.ASCII.GetString(bytes, 53, 2), 16), (int)context.TraceFlags);
                }
                else
                {
                    Assert.Equal(default, context);
                }

                accepted += expected ? 1 : 0;
            },
            bytes => $"traceparent bytes {Convert.ToHexString(bytes)}");
        Assert.Equal(5_000, Property.LastCount);
        Assert.InRange(accepted, 250, 4_500);
    }

    /// <summary>The W3C traceparent (version-format), byte by byte: the reference the vectorized check is held to.</summary>
    private static bool ReadsAsW3CTraceParent(byte[] bytes)
    {
        if (bytes.Length != 55)
        {
            return false;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var ok = i is 2 or 35 or 52 ? b == '-' : b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f';
            if (!ok)
            {
                return false;
            }
        }

        if (bytes[0] == 'f' && bytes[1] == 'f')
        {
            return false;
        }

        var traceIdZero = true;
        for (var i = 3; i < 35; i++)
        {
            traceIdZero &= bytes[i] == '0';
        }

        var spanIdZero = true;
        for (var i = 36; i < 52; i++)
        {
            spanIdZero &= bytes[i] == '0';
        }

        return !traceIdZero && !spanIdZero;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a traceparent")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331")]
    public void A_missing_or_unreadable_traceparent_gives_no_parent(string? value)
    {
        var headers = new Dictionary<string, object?> { ["traceparent"] = value is null ? null : Encoding.UTF8.GetBytes(value) };
        Assert.Equal(default, TraceContext.Extract(headers));
        Assert.Equal(default, TraceContext.Extract(null));
        Assert.Equal(default, TraceContext.Extract(new Dictionary<string, object?> { ["traceparent"] = 42 }));
        Assert.Equal(default, TraceContext.Extract(new Dictionary<string, object?> { ["traceparent"] = new byte[10_000] }));
    }

    [Fact]
    public void Any_header_table_a_foreign_client_sends_gives_its_parent_or_none_and_never_fails_the_process_span()
    {
        // What another client may put in a delivery's headers: traceparent and tracestate of any AMQP type (strings
        // arrive as bytes from RabbitMQ.Client, as strings from headers made in process), near-valid and garbage
        // values, oversized ones, nested tables and arrays, and the retry-count header Warren reads for the same span.
        const string Valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var nearValid = Gen.Select(Gen.Int[0, 54], Gen.Char['\0', '\u00ff']).Array[0, 3].Select(edits =>
        {
            var text = Valid.ToCharArray();
            foreach (var (index, replacement) in edits)
            {
                text[index] = replacement;
            }

            return new string(text);
        });
        var text = Gen.OneOf(nearValid, Gen.String, Gen.String.AlphaNumeric, Gen.Const(new string('a', 600)), Gen.Const(Valid.ToUpperInvariant()));
        var scalar = Gen.OneOf<object?>(
            Gen.Const(0).Select(_ => (object?)null),
            text.Select(t => (object?)t),
            text.Select(t => (object?)Encoding.UTF8.GetBytes(t)),
            Gen.Byte.Array[0, 700].Select(b => (object?)b),
            Gen.Long.Select(l => (object?)l),
            Gen.Int.Select(i => (object?)i),
            Gen.Bool.Select(b => (object?)b),
            Gen.Double.Select(d => (object?)d),
            Gen.Decimal.Select(d => (object?)d),
            Gen.Long.Select(l => (object?)new AmqpTimestamp(l)));
        var value = Gen.OneOf(
            scalar,
            scalar.List[0, 3].Select(l => (object?)l),
            scalar.Select(v => (object?)new Dictionary<string, object?> { ["traceparent"] = v }));
        var key = Gen.OneOf(Gen.Const(TraceContext.TraceParent), Gen.Const(TraceContext.TraceState), Gen.Const("TraceParent"), Gen.Const(RetryPolicy.RetriesHeader), Gen.String.AlphaNumeric);
        var gen = Gen.Select(key, value).Array[0, 6].Select(entries =>
        {
            var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (name, entry) in entries)
            {
                headers[name] = entry;
            }

            return headers;
        });

        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == WarrenDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var parented = 0;
        Property.ForAll(
            gen,
            1000,
            headers =>
            {
                var context = TraceContext.Extract(headers);
                if (context != default)
                {
                    // Only a well-formed traceparent gives a parent, and exactly the one it names.
                    var parent = headers[TraceContext.TraceParent] switch
                    {
                        byte[] bytes => Encoding.UTF8.GetString(bytes),
                        string t => t,
                        var other => throw new InvalidOperationException($"a parent read from a {other?.GetType().Name}"),
                    };
                    Assert.Equal($"{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{(int)context.TraceFlags:x2}", parent[3..]);
                    parented++;
                }

                var properties = new BasicProperties { Headers = headers };
                var delivery = new BasicDeliverEventArgs("ctag", 1, false, string.Empty, "q", properties, ReadOnlyMemory<byte>.Empty, System.Threading.CancellationToken.None);
                using var activity = WarrenTracing.StartProcess("process q", headers);
                Assert.NotNull(activity);
                Assert.Equal(context == default ? default : context.SpanId, activity.ParentSpanId);
                WarrenTracing.DescribeProcess(activity, "q", delivery);
                WarrenTracing.EndProcess(activity, "ack", null, null, null, null);
            },
            headers => string.Join(", ", headers.Select(h => $"{h.Key} = {Describe(h.Value)}")));
        Assert.Equal(1000, Property.LastCount);
        Assert.InRange(parented, 1, 999);
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        byte[] bytes => $"bytes '{Encoding.UTF8.GetString(bytes)}'",
        string text => $"'{text}'",
        IEnumerable<object?> list => $"[{string.Join(", ", list.Select(Describe))}]",
        IDictionary<string, object?> table => $"{{{string.Join(", ", table.Select(t => $"{t.Key} = {Describe(t.Value)}"))}}}",
        _ => $"{value.GetType().Name} {value}",
    };

    [Fact]
    public void A_retry_or_dead_letter_copy_keeps_the_trace_headers_whatever_else_it_drops()
    {
        const string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var original = new BasicProperties
        {
            Headers = new Dictionary<string, object?>
            {
                ["traceparent"] = Encoding.UTF8.GetBytes(parent),
                ["tracestate"] = Encoding.UTF8.GetBytes("vendor=1"),
                ["big"] = new byte[DeadLetterHeaders.MaxCarriedHeaderBytes],
            },
        };

        var copy = FailureCopy.Create(original, "q", "", "q", "boom", null, 1, DateTimeOffset.UnixEpoch);

        Assert.False(copy.Headers!.ContainsKey("big"));
        var context = TraceContext.Extract(copy.Headers);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", context.TraceId.ToHexString());
        Assert.Equal("vendor=1", context.TraceState);
    }
}

public sealed class TopologyRecoveryTests
{
    [Fact]
    public void Only_an_entity_the_broker_refused_is_skipped_a_lost_connection_or_a_timeout_restarts_the_recovery()
    {
        static OperationInterruptedException Closed(ShutdownInitiator initiator, ushort code) =>
            new(new ShutdownEventArgs(initiator, code, "text"));

        Assert.True(WarrenConnections.IsRefusedByBroker(Closed(ShutdownInitiator.Peer, 404)));
        Assert.True(WarrenConnections.IsRefusedByBroker(Closed(ShutdownInitiator.Peer, 406)));
        Assert.True(WarrenConnections.IsRefusedByBroker(Closed(ShutdownInitiator.Peer, 405)));
        Assert.True(WarrenConnections.IsRefusedByBroker(new AlreadyClosedException(new ShutdownEventArgs(ShutdownInitiator.Peer, 404, "gone"))));
        Assert.False(WarrenConnections.IsRefusedByBroker(Closed(ShutdownInitiator.Peer, 320)));
        Assert.False(WarrenConnections.IsRefusedByBroker(Closed(ShutdownInitiator.Library, 541)));
        Assert.False(WarrenConnections.IsRefusedByBroker(Closed(ShutdownInitiator.Application, 200)));
        Assert.False(WarrenConnections.IsRefusedByBroker(new TimeoutException()));
        Assert.False(WarrenConnections.IsRefusedByBroker(new OperationCanceledException()));
    }
}

public sealed class TelemetryNamingTests
{
    [Fact]
    public void Metrics_and_spans_name_the_template_never_the_concrete_routing_key()
    {
        var info = System.Text.Json.Serialization.Metadata.JsonMetadataServices.CreateValueInfo<string>(new System.Text.Json.JsonSerializerOptions(), System.Text.Json.Serialization.Metadata.JsonMetadataServices.StringConverter);
        var templated = new MessageContract<string>("user.created", info, "user.events", s => "user." + s + ".created") { RoutingKeyTemplate = "user.{Region}.created" };
        Assert.Equal("user.events", templated.TelemetryDestination);
        Assert.Equal("user.events:user.{Region}.created", templated.TelemetryTemplate);

        var unknown = new MessageContract<string>("user.created", info, "user.events", s => "user." + s + ".created");
        Assert.Equal("user.events", unknown.TelemetryDestination);
        Assert.Null(unknown.TelemetryTemplate);

        var fixedKey = new MessageContract<string>("task", info, "", "tasks");
        Assert.Equal("tasks", fixedKey.RoutingKeyTemplate);
        Assert.Equal("tasks", fixedKey.TelemetryDestination);
        Assert.Equal("tasks", fixedKey.TelemetryTemplate);

        var computedOnDefault = new MessageContract<string>("task", info, "", s => "tasks-" + s);
        Assert.Equal("task", computedOnDefault.TelemetryDestination);
    }

    [Theory]
    [InlineData("", "orders", "orders", "orders")]
    [InlineData("", "", "orders", "orders")]
    [InlineData("", "orders.retry", "orders", "orders.retry:orders")]
    [InlineData("user.events", "", "users", "user.events:users")]
    [InlineData("user.events", "users", "users", "user.events:users")]
    [InlineData("user.events", "user.eu.created", "users", "user.events:user.eu.created:users")]
    public void A_process_span_names_its_destination_by_exchange_routing_key_and_queue(string exchange, string routingKey, string queue, string expected)
    {
        Assert.Equal(expected, WarrenTracing.ProcessDestination(exchange, routingKey, queue));

        // And the span carries it with the other attributes read from the delivery.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WarrenDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var properties = new BasicProperties { MessageId = "m-1", CorrelationId = "c-1", Type = "user.created" };
        var delivery = new BasicDeliverEventArgs("ctag", 7, false, exchange, routingKey, properties, ReadOnlyMemory<byte>.Empty, System.Threading.CancellationToken.None);
        using var activity = WarrenTracing.StartProcess(WarrenTracing.ProcessSpanName(queue), null);
        Assert.NotNull(activity);
        WarrenTracing.DescribeProcess(activity, queue, delivery);
        Assert.Equal(expected, activity.GetTagItem("messaging.destination.name"));
        Assert.Equal(routingKey.Length > 0 ? routingKey : null, activity.GetTagItem("messaging.rabbitmq.destination.routing_key"));
        Assert.Equal(7L, activity.GetTagItem("messaging.rabbitmq.message.delivery_tag"));
        Assert.Equal(0L, activity.GetTagItem("warren.retry.count"));
        Assert.Equal("m-1", activity.GetTagItem("messaging.message.id"));
        Assert.Equal("c-1", activity.GetTagItem("messaging.message.conversation_id"));
    }

    [Fact]
    public void A_connections_endpoint_is_kept_while_the_node_is_the_same_and_replaced_when_it_recovered_to_another()
    {
        var first = ServerEndpoint.Refresh(null, new AmqpTcpEndpoint("node-a", 5672));
        Assert.Equal(new ServerEndpoint("node-a", 5672), first);

        // The same node again (a span of the same connection): the same object, nothing allocated.
        Assert.Same(first, ServerEndpoint.Refresh(first, new AmqpTcpEndpoint("node-a", 5672)));

        // Recovered to another node of the cluster: the spans name that node from now on.
        var recovered = ServerEndpoint.Refresh(first, new AmqpTcpEndpoint("node-b", 5672));
        Assert.Equal(new ServerEndpoint("node-b", 5672), recovered);
        Assert.Equal(5673L, ServerEndpoint.Refresh(recovered, new AmqpTcpEndpoint("node-b", 5673))!.PortTag);

        // Unknown (disposed): no endpoint rather than the last one.
        Assert.Null(ServerEndpoint.Refresh(recovered, null));
    }

    [Fact]
    public void The_logging_scope_lists_its_four_values()
    {
        var scope = new MessageLogScope("m", "c", "q", null);
        Assert.Equal(["MessageId", "MessageContract", "Queue", "CorrelationId"], scope.Select(p => p.Key));
        Assert.Equal(["m", "c", "q", null], scope.Select(p => p.Value));
        Assert.Equal("MessageId:m MessageContract:c Queue:q CorrelationId:", scope.ToString());
    }
}
