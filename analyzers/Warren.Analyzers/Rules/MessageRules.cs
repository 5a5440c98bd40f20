using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Parsing;

namespace Warren.Analyzers.Rules;

/// <summary>A message type's routing key template and default priority.</summary>
internal static class MessageRules
{
    public static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        var attributed = IsAttributed(type);
        if (attributed && type.TypeKind != TypeKind.Interface && Generators.Rules.ShapeRules.MessageTypeProblem(type) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreachableType, Locations.Of(type), type.Name, "is a message type that " + problem.Replace("'" + type.Name + "' ", string.Empty)));
        }

        NameChecks.Exchange(context, type, "Message");
        if (AttributeReader.Find(type, KnownNames.TopicAttribute) is { } topic && AttributeReader.Argument<string>(topic, 0) is { } template)
        {
            CheckTemplate(context, topic, type, template, type);
        }

        if (attributed && type.TypeKind != TypeKind.Interface && Generators.Rules.ShapeRules.MessageTypeProblem(type) is null)
        {
            CheckContractKey(context, type);
        }

        if (AttributeReader.Find(type, KnownNames.PriorityAttribute) is { } priority && priority.ConstructorArguments.Length == 1)
        {
            Priorities.Check(context, priority, type, AttributeReader.Argument<int>(priority, 0), $"The priority of '{type.Name}'", Locations.OfFirstArgument(priority, type));
        }
    }

    /// <summary>
    /// The contract name of a message without <c>[Topic]</c>, which is also its routing key and its handlers' binding
    /// (<see cref="Generators.Rules.ContractKeyRules"/>): reported at the <c>[Message]</c> name, else at the type.
    /// </summary>
    private static void CheckContractKey(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        if (Generators.Rules.ContractKeyRules.Problem(MessageParser.Parse(type, context.Compilation.Assembly)) is not { } problem)
        {
            return;
        }

        var location = AttributeReader.Find(type, KnownNames.MessageAttribute) is { } message ? Locations.OfFirstArgument(message, type) : Locations.Of(type);
        context.ReportDiagnostic(problem.Wildcard is { } wildcard
            ? Diagnostic.Create(DiagnosticDescriptors.WildcardInRoutingKey, location, problem.Problem, wildcard)
            : Diagnostic.Create(DiagnosticDescriptors.InvalidTopic, location, problem.Problem));
    }

    /// <summary>
    /// The contract name of a message without a Warren attribute, judged where a handler or publisher method of this
    /// compilation uses it (the type itself has no attribute to report at): the generator emits nothing for any JSON
    /// message of this compilation whose name <see cref="MessageParser.ContractKeyProblemInSource"/> rejects, such as a
    /// default name over 255 bytes (a long nested or generic name), so the handler or method it drops is reported here.
    /// </summary>
    public static void CheckContractKeyAt(SymbolAnalysisContext context, ITypeSymbol messageType, Location location)
    {
        if (messageType is INamedTypeSymbol named && IsAttributed(named))
        {
            return;
        }

        if (MessageParser.ContractKeyProblemInSource(messageType, context.Compilation.Assembly) is { } problem)
        {
            context.ReportDiagnostic(problem.Wildcard is { } wildcard
                ? Diagnostic.Create(DiagnosticDescriptors.WildcardInRoutingKey, location, problem.Problem, wildcard)
                : Diagnostic.Create(DiagnosticDescriptors.InvalidTopic, location, problem.Problem));
        }
    }

    private static bool IsAttributed(INamedTypeSymbol type) =>
        AttributeReader.Has(type, KnownNames.ExchangeAttribute) || AttributeReader.Has(type, KnownNames.TopicAttribute)
        || AttributeReader.Has(type, KnownNames.MessageAttribute) || AttributeReader.Has(type, KnownNames.PriorityAttribute);

    /// <summary>
    /// A publish routing-key template: syntax, wildcards, and each placeholder against the message type; reported at the
    /// template, or at <paramref name="at"/> when given (a method inherited from a referenced interface, whose syntax is
    /// not this compilation's).
    /// </summary>
    public static void CheckTemplate(SymbolAnalysisContext context, AttributeData topic, ISymbol owner, string template, ITypeSymbol messageType, Location? at = null)
    {
        var location = at ?? Locations.OfFirstArgument(topic, owner);
        if (TopicRules.TemplateProblem(template) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidTopic, location, problem));
            return;
        }

        if (TopicRules.Wildcard(template) is { } wildcard)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WildcardInRoutingKey, location, template, wildcard));
            return;
        }

        foreach (var part in RoutingTemplates.Parse(template, messageType).Where(p => p.IsProperty))
        {
            var property = RoutingTemplates.FindProperty(messageType, part.Text);
            if (property is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnknownPlaceholder, location, messageType.Name, part.Text));
            }
            else if (part.Format == Generators.Model.PropertyFormat.Unsupported)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedPlaceholderType, location, messageType.Name, part.Text, property.Type.ToDisplayString()));
            }
        }
    }
}
