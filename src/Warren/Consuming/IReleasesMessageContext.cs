using System.ComponentModel;

namespace Warren.Infrastructure;

/// <summary>
/// Marks a dispatcher that keeps no reference to a delivery's <see cref="MessageContext"/> once its task has completed
/// and hands the context to application code only through <see cref="WarrenDispatch.Shared"/>. The consumer reuses the
/// contexts of such a dispatcher for later deliveries (no allocation per message), except those it shared: a handler
/// that takes the context may keep it, and keeps what it read. Generated dispatchers implement it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IReleasesMessageContext : IMessageDispatcher;
