using System.ComponentModel;

namespace Warren.Infrastructure;

/// <summary>
/// What the generated <c>AddGeneratedHandlers()</c> of an assembly giving its internals (<c>InternalsVisibleTo</c>)
/// extends instead of <see cref="WarrenBuilder"/>, so that in every assembly given those internals that runs Warren
/// too, a call binds to that assembly's own: C# prefers the extension whose receiver is the better conversion target
/// of a <see cref="WarrenBuilder"/>. <see cref="WarrenBuilder"/> itself is the best; after it,
/// <c>IRegistrationRank&lt;T&gt;</c> is better the deeper <typeparamref name="T"/> nests
/// <see cref="IRegistrationDepth{T}"/>, without end. An assembly gives its generated registration a depth above that of
/// every assembly giving it its internals: any chain or graph of friends ranks each assembly's own first. Implemented by
/// <see cref="WarrenBuilder"/> only; used by generated code only.
/// </summary>
/// <typeparam name="T">The depth: <see cref="WarrenBuilder"/>, or <see cref="IRegistrationDepth{T}"/> nested.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IRegistrationRank<in T>;

/// <summary>One level of depth of <see cref="IRegistrationRank{T}"/>. Implemented by <see cref="WarrenBuilder"/> only.</summary>
/// <typeparam name="T">The level below.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IRegistrationDepth<out T>;
