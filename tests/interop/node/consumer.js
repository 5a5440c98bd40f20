#!/usr/bin/env node
// Consumes what a Warren application publishes and checks every message the way a Node.js consumer would rely on it.
//   node consumer.js <amqp-url> <exchange> <expected-count> <expected-type> <timeout-ms>
// Prints "ready" once its queue is bound, then one JSON line with the counts and the first problems found.
// Exits 0 only if exactly <expected-count> distinct, well-formed messages arrived.
const amqp = require('amqplib');

const [url, exchange, expectedText, expectedType, timeoutText] = process.argv.slice(2);
const expected = Number.parseInt(expectedText, 10);
const timeoutMs = Number.parseInt(timeoutText, 10);
const lingerMs = 500; // after the last expected message: anything more is an extra delivery

(async () => {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, exchange, '#');

  const problems = [];
  const messageIds = new Set();
  const orderIds = new Set();
  let received = 0;
  const problem = (text, message) => {
    if (problems.length < 5) {
      problems.push(`${text} (properties ${JSON.stringify(message.properties)}, body ${message.content.toString('utf8').slice(0, 200)})`);
    }
  };

  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  await channel.consume(queue, (message) => {
    if (message === null) {
      problems.push('the broker cancelled the consumer');
      finish();
      return;
    }

    received++;
    const p = message.properties;
    if (p.contentType !== 'application/json') problem(`content-type is ${p.contentType}`, message);
    if (p.type !== expectedType) problem(`type is ${p.type}, expected ${expectedType}`, message);
    if (typeof p.messageId !== 'string' || p.messageId.length === 0) problem('no message-id', message);
    else if (!/^[0-9a-f]{32}$/.test(p.messageId)) problem(`message-id ${p.messageId} is not Warren's 32 lowercase hex digits`, message);
    else if (messageIds.has(p.messageId)) problem(`message-id ${p.messageId} seen twice`, message);
    else messageIds.add(p.messageId);
    // AMQP timestamps are seconds since the epoch; Date.now() is milliseconds.
    const nowSeconds = Date.now() / 1000;
    if (typeof p.timestamp !== 'number' || Math.abs(p.timestamp - nowSeconds) > 600) {
      problem(`timestamp ${p.timestamp} is not the current time in seconds (${Math.round(nowSeconds)})`, message);
    }
    if (p.deliveryMode !== 2) problem(`delivery-mode is ${p.deliveryMode}, not persistent (2)`, message);
    let body;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch (error) {
      problem(`the body is not JSON: ${error.message}`, message);
    }
    if (body !== undefined) {
      if (typeof body.orderId !== 'string' || typeof body.amount !== 'number' || typeof body.region !== 'string') {
        problem('the body lacks camelCase orderId (string), amount (number) and region (string)', message);
      } else if (orderIds.has(body.orderId)) {
        problem(`order ${body.orderId} delivered twice`, message);
      } else {
        orderIds.add(body.orderId);
      }
    }
    channel.ack(message);
    if (received === expected) {
      setTimeout(finish, lingerMs);
    }
  });

  const timer = setTimeout(() => {
    problems.push(`timed out after ${timeoutMs} ms`);
    finish();
  }, timeoutMs);
  console.log('ready');
  await done;
  clearTimeout(timer);
  console.log(JSON.stringify({ received, distinct: orderIds.size, problems }));
  await connection.close();
  process.exit(received === expected && orderIds.size === expected && problems.length === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
