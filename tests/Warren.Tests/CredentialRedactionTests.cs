using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Xunit;

namespace Warren.Tests;

/// <summary>
/// No configuration error and no log description shows a credential, whatever the password contains: commas, '@',
/// '%', colons, slashes, '?', '#', spaces, non-ASCII; written raw (as people do) or percent-encoded.
/// </summary>
public sealed class CredentialRedactionTests
{
    private const string Specials = ",@:%/?#;= &+!$'()*[]~\"\\é€";

    // Secret tokens use characters no message of Warren's contains in such runs, so finding one means a leak. They start
    // with a letter: "amqp://user:1234/x" is a valid URI naming port 1234 and virtual host "x", whatever was meant.
    private static readonly Gen<string> Token = Gen.Select(Gen.Char["QXZJKV"], Gen.String[Gen.Char["QXZJKV0123456789"], 4, 7], (first, rest) => first + rest);

    private static readonly Gen<(string Password, string[] Tokens)> RawPassword =
        Gen.Select(Token, Gen.String[Gen.Char[Specials], 0, 3])
            .Array[1, 4]
            .Select(parts => (string.Concat(parts.Select(p => p.Item2 + p.Item1)), parts.Select(p => p.Item1).ToArray()));

    private static readonly string[] UrlShapes =
    [
        "amqp://user:{0}@rabbit-1:5672/orders",
        "amqps://user:{0}@rabbit-1/orders",
        "amqp://user:{0}@rabbit-1:5672/orders, amqp://user:{0}@rabbit-2:5673/orders",
        "amqp://user:{0}@rabbit-1:5672",
        "amqp://{0}@rabbit-1/",
        "amqp://user:{0}@/orders",
        "amqp://user:{0}",
        "amqp://rabbit-1:{0}/orders",
        "user:{0}@rabbit-1",
    ];

    private static readonly int[] HostlessShapes = [6, 7, 10];

    // The shapes where the token is the whole user information: a colon in it ends the user name, which is shown.
    private static readonly int[] UserInfoShapes = [4, 11];

    private static readonly string[] HostShapes =
    [
        "user:{0}@rabbit-1",
        "rabbit-1:{0}",
        "{0}@rabbit-1:5672",
        "user:{0}@rabbit-1:5672",
        "rabbit-1:{0}@x",
    ];

    [Fact]
    public void Raw_passwords_never_appear_in_errors_or_descriptions()
    {
        var cases = Gen.Select(RawPassword, Gen.Int[0, UrlShapes.Length + HostShapes.Length - 1]);
        Property.ForAll(
            cases,
            1000,
            c =>
            {
                var ((password, tokens), shape) = c;
                if (HostlessShapes.Contains(shape))
                {
                    // Without a host after it, "user:secret@word" is a URI naming host "word": no text can be told apart.
                    password = password.Replace("@", string.Empty, StringComparison.Ordinal);
                }

                if (UserInfoShapes.Contains(shape))
                {
                    password = password.Replace(":", string.Empty, StringComparison.Ordinal);
                }

                var options = new WarrenOptions();
                if (shape < UrlShapes.Length)
                {
                    options.Url = string.Format(System.Globalization.CultureInfo.InvariantCulture, UrlShapes[shape], password);
                }
                else
                {
                    options.Hosts.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, HostShapes[shape - UrlShapes.Length], password));
                }

                AssertNoLeak(options, tokens);
            },
            c => $"password '{c.Item1.Password}', shape {c.Item2}");
        Assert.Equal(1000, Property.LastCount);
    }

    [Fact]
    public void Percent_encoded_credentials_and_virtual_host_round_trip_exactly()
    {
        var text = Gen.String[Gen.Frequency((4, Gen.Char[' ', '~']), (1, Gen.Char['\u00a0', '\u07ff']), (1, Gen.Char["€中ß"])), 1, 20];
        Property.ForAll(
            Gen.Select(text, text, text.Array[0, 1]),
            1000,
            c =>
            {
                var (user, password, vhosts) = c;
                var vhost = vhosts.Length == 0 ? null : vhosts[0];
                var url = $"amqp://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@rabbit-1:5680/{(vhost is null ? string.Empty : Uri.EscapeDataString(vhost))}";

                var settings = ConnectionSettings.From(new WarrenOptions { Url = url }, environmentUrl: null);

                Assert.Equal(user, settings.UserName);
                Assert.Equal(password, settings.Password);
                Assert.Equal(vhost ?? "/", settings.VirtualHost);
                var endpoint = Assert.Single(settings.Endpoints);
                Assert.Equal(("rabbit-1", 5680), (endpoint.HostName, endpoint.Port));
            },
            c => $"user '{c.Item1}', password '{c.Item2}', vhost '{string.Concat(c.Item3)}'");
    }

    [Theory]
    [InlineData("amqp://app:pa,QX9911@rabbit-1:5672/")]
    [InlineData("amqp://app:QX9911,@rabbit-1:5672/, amqp://app:QX9911,@rabbit-2:5672/")]
    [InlineData("amqp://app:QX99,11@rabbit-1/")]
    public void A_comma_in_the_password_does_not_split_the_url(string url)
    {
        var settings = ConnectionSettings.From(new WarrenOptions { Url = url }, environmentUrl: null);

        Assert.Contains("QX99", settings.Password, StringComparison.Ordinal);
        Assert.All(settings.Endpoints, e => Assert.StartsWith("rabbit-", e.HostName, StringComparison.Ordinal));
        Assert.DoesNotContain("QX99", settings.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amqp://app:QX99/11@rabbit-1/")]
    [InlineData("amqp://app:QX99?11@rabbit-1/")]
    [InlineData("amqp://app:QX99#11@rabbit-1/")]
    [InlineData("amqp://app:1234/QX99@rabbit-1/")]
    [InlineData("amqp://app:/QX99")]
    public void A_raw_slash_question_mark_or_hash_in_the_password_is_an_error_that_hides_it(string url)
    {
        var error = Assert.Throws<WarrenConfigurationException>(() => ConnectionSettings.From(new WarrenOptions { Url = url }, environmentUrl: null));

        Assert.DoesNotContain("QX99", error.Message, StringComparison.Ordinal);
        if (url.Contains("rabbit-1", StringComparison.Ordinal))
        {
            Assert.Contains("rabbit-1", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("user:QX9911@rabbit-1")]
    [InlineData("rabbit-1:QX9911")]
    [InlineData("QX9911@rabbit-1")]
    [InlineData("rabbit-1:QX99@11")]
    public void A_host_entry_with_credentials_is_an_error_that_hides_them(string host)
    {
        var options = new WarrenOptions();
        options.Hosts.Add(host);

        var error = Assert.Throws<WarrenConfigurationException>(() => ConnectionSettings.From(options, environmentUrl: null));

        Assert.DoesNotContain("QX99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_uri_with_the_wrong_scheme_shows_the_scheme_and_hides_only_the_password()
    {
        var error = Assert.Throws<WarrenConfigurationException>(() => ConnectionSettings.From(new WarrenOptions { Url = "http://guest:secretpw@x/" }, environmentUrl: null));

        Assert.Contains("'http://guest:***@x/' is not an AMQP URI", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secretpw", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amqp://u:p@host:5672/v", "amqp://u:***@host:5672/v")]
    [InlineData("amqp://u:p@ss@host/", "amqp://u:***@host/")]
    [InlineData("http://guest:secretpw@x/", "http://guest:***@x/")]
    [InlineData("amqp:/guest:secretpw@x/", "amqp:***@x/")]
    [InlineData("AMQP://guest:s:e:c@x:5672/", "AMQP://guest:***@x:5672/")]
    [InlineData("amqp://secretpw@x/", "amqp://***@x/")]
    [InlineData("http://user:secret", "http://user:***")]
    [InlineData("amqp://host/", "amqp://host/")]
    [InlineData("amqp://host:5672/v", "amqp://host:5672/v")]
    [InlineData("amqp://user:secret", "amqp://user:***")]
    [InlineData("amqp://user:secret/more", "amqp://user:***")]
    [InlineData("rabbit:secret", "rabbit:***")]
    [InlineData("rabbit:5672", "rabbit:5672")]
    [InlineData("[::1]:5672", "[::1]:5672")]
    [InlineData("user:secret@rabbit", "user:***@rabbit")]
    [InlineData("amqp://user:se@cr,et/x", "amqp://***")]
    [InlineData("amqp://u:p@[::1]:5672/v", "amqp://u:***@[::1]:5672/v")]
    [InlineData("amqp://u:p@host:12ab/v", "amqp://***")]
    public void Redact_masks_whatever_may_be_a_credential(string text, string expected) =>
        Assert.Equal(expected, ConnectionSettings.Redact(text));

    // Query keys a secret goes under (as written, or in another case); the value may be raw or percent-encoded.
    private static readonly string[] SecretKeys =
    [
        "password", "Password", "PASSWORD", "passwd", "pwd", "pass", "secret", "client_secret", "token", "access_token",
        "api_key", "apikey", "api-key", "auth", "authorization", "credential", "credentials", "sig", "signature",
        "private_key", "pass%77ord",
    ];

    private static readonly string[] QueryShapes =
    [
        "amqp://rabbit-1/orders?{0}={1}",
        "amqps://user@rabbit-1:5671/orders?heartbeat=10&{0}={1}",
        "amqp://user:pw@rabbit-1:5672/?{0}={1}&heartbeat=10",
        "amqp://rabbit-1:5672?frame_max=4096;{0}={1}",
        "amqp://rabbit-1/?{0}={1}#frag",
        "amqp://rabbit-1/orders?heartbeat=10&{0}={1}&{0}={1}",
        "rabbit-1:5672/?{0}={1}",
        "http://rabbit-1/?{0}={1}",
    ];

    [Fact]
    public void A_secret_in_the_query_string_never_appears_in_the_masked_text()
    {
        var cases = Gen.Select(RawPassword, Gen.Int[0, SecretKeys.Length - 1], Gen.Int[0, QueryShapes.Length - 1], Gen.Bool);
        Property.ForAll(
            cases,
            1000,
            c =>
            {
                var ((password, tokens), key, shape, encoded) = c;
                var value = encoded ? Uri.EscapeDataString(password) : password;
                var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, QueryShapes[shape], SecretKeys[key], value);
                var masked = ConnectionSettings.Redact(text);
                foreach (var token in tokens)
                {
                    Assert.False(masked.Contains(token, StringComparison.Ordinal), $"'{token}' leaked into: {masked}");
                }

                // Only what may be a secret goes: the scheme and the host stay visible.
                Assert.Contains("rabbit-1", masked, StringComparison.Ordinal);
                Assert.StartsWith(text[..text.IndexOf("rabbit-1", StringComparison.Ordinal)].Split('@')[0].Split(':')[0], masked, StringComparison.Ordinal);
                AssertNoLeak(new WarrenOptions { Url = text }, tokens);
            },
            c => $"password '{c.Item1.Password}', key '{SecretKeys[c.Item2]}', shape {c.Item3}, encoded {c.Item4}");
        Assert.Equal(1000, Property.LastCount);
    }

    [Theory]
    [InlineData("amqp://host/?password=QX99", "amqp://host/?password=***")]
    [InlineData("amqp://u@host:5672/v?heartbeat=10&Password=QX99&frame_max=4096", "amqp://***@host:5672/v?heartbeat=10&Password=***")]
    [InlineData("amqp://u:p@host/v?auth_token=QX99", "amqp://u:***@host/v?auth_token=***")]
    [InlineData("amqp://host/v?heartbeat=10", "amqp://host/v?heartbeat=10")]
    [InlineData("amqp://host/v?channel_max=10&frame_max=4096#top", "amqp://host/v?channel_max=10&frame_max=4096#top")]
    public void Redact_masks_a_secret_in_the_query_and_what_follows_it(string text, string expected) =>
        Assert.Equal(expected, ConnectionSettings.Redact(text));

    [Theory]
    [InlineData("amqp://a/", new[] { "amqp://a/" })]
    [InlineData("amqp://a/,amqp://b/", new[] { "amqp://a/", "amqp://b/" })]
    [InlineData(" amqp://a/ ,  AMQPS://b/ ,", new[] { "amqp://a/", "AMQPS://b/" })]
    [InlineData("amqp://u:p,q@a/,amqp://u:p,q@b/", new[] { "amqp://u:p,q@a/", "amqp://u:p,q@b/" })]
    public void Uri_lists_split_only_where_another_uri_starts(string text, string[] expected) =>
        Assert.Equal(expected, ConnectionSettings.SplitUris(text));

    private static void AssertNoLeak(WarrenOptions options, IReadOnlyList<string> tokens)
    {
        var texts = new List<string>();
        try
        {
            texts.Add(ConnectionSettings.From(options, environmentUrl: null).ToString());
        }
        catch (WarrenConfigurationException ex)
        {
            texts.Add(ex.Message);
        }

        var validation = new WarrenOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            texts.Add(validation.FailureMessage);
        }

        foreach (var text in texts)
        {
            foreach (var token in tokens)
            {
                Assert.False(text.Contains(token, StringComparison.Ordinal), $"'{token}' leaked into: {text}");
            }
        }
    }
}
