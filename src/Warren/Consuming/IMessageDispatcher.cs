using System.ComponentModel;
using System.Threading.Tasks;

namespace Warren.Infrastructure;

/// <summary>
/// The seam between a queue's consumer and the handlers: generated code implements it per consumer class (selecting
/// the handler by the message's <c>type</c> or routing key). It must finish with <see cref="MessageContext.Body"/>
/// before its task completes: the body's memory belongs to the client and is reused afterwards.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IMessageDispatcher
{
    /// <summary>Handles one delivery and says what to do with it. An exception thrown from here counts as <see cref="DispatchAction.Requeue"/>.</summary>
    ValueTask<DispatchOutcome> DispatchAsync(MessageContext context);
}
