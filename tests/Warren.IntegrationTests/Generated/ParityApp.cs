using Warren.IntegrationTests.Runtime;

namespace Warren.IntegrationTests.Generated;

// The RabbitMQ tutorials' non-durable "hello" queue, declared by the generator: DefaultPolicyParityTests declares the
// same queue with a hand-written consumer too.

[Queue(DefaultPolicyParityTests.Queue, Durable = false, DeadLetterArguments = false)]
public sealed class ParityHello
{
    public void Handle(Numbered message)
    {
    }
}
