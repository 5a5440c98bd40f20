#!/usr/bin/env node
// Publishes the way the RabbitMQ tutorials' Node.js code does: camelCase JSON bodies, `timestamp: Date.now()`
// (milliseconds), mostly no `type`, sometimes the producer's own `type` names. Usage:
//   node producer.js <amqp-url> <count-per-kind> <run-id>
// Prints one JSON line: {"published": {...kind: count}}; exits non-zero if the broker did not confirm everything.
const amqp = require('amqplib');

const [url, countText, runId] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
const regions = ['eu', 'us', 'apac'];

(async () => {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    const exchange = 'interop.events';
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const published = { createdUntyped: 0, createdTyped: 0, deletedTyped: 0, taskUntyped: 0 };
    for (let i = 0; i < count; i++) {
      const region = regions[i % regions.length];

      // Tutorial 5 (topics): publish to the exchange with a routing key, no `type`.
      const created = { userId: `${runId}-cu-${i}`, email: `cu${i}@example.com`, region, age: 20 + (i % 50) };
      channel.publish(exchange, `user.${region}.created`, Buffer.from(JSON.stringify(created)), {
        contentType: 'application/json',
        timestamp: Date.now(),
        persistent: true,
      });
      published.createdUntyped++;

      // The same with the producer's own type name, which no Warren contract uses.
      const typed = { userId: `${runId}-ct-${i}`, email: `ct${i}@example.com`, region, age: 30 + (i % 40) };
      channel.publish(exchange, `user.${region}.created`, Buffer.from(JSON.stringify(typed)), {
        contentType: 'application/json',
        type: 'UserCreated',
        messageId: `${runId}-m-ct-${i}`,
        timestamp: Date.now(),
        persistent: true,
      });
      published.createdTyped++;

      // Another own type name, for the queue's second handler: only the routing key tells them apart.
      const deleted = { userId: `${runId}-dt-${i}`, region, reason: `reason ${i}` };
      channel.publish(exchange, `user.${region}.deleted`, Buffer.from(JSON.stringify(deleted)), {
        contentType: 'application/json',
        type: 'UserDeleted',
        timestamp: Date.now(),
      });
      published.deletedTyped++;

      // Tutorial 2 (work queues): straight to the queue through the default exchange, persistent, no content type.
      const task = { taskId: `${runId}-t-${i}`, dots: i % 5 };
      channel.sendToQueue('interop.tasks', Buffer.from(JSON.stringify(task)), { persistent: true, timestamp: Date.now() });
      published.taskUntyped++;
    }

    await channel.waitForConfirms();
    console.log(JSON.stringify({ published }));
    await channel.close();
  } finally {
    await connection.close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
