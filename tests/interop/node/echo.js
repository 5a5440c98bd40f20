#!/usr/bin/env node
// Sends back every message of one queue to another, body and content-type untouched (a Buffer in, the same Buffer out).
//   node echo.js <amqp-url> <from-queue> <to-queue> <count> <timeout-ms>
// Both queues are declared non-durable. Prints "ready", then one JSON line; exits 0 after echoing exactly <count>.
const amqp = require('amqplib');

const [url, from, to, countText, timeoutText] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
const timeoutMs = Number.parseInt(timeoutText, 10);

(async () => {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(from, { durable: false });
  await channel.assertQueue(to, { durable: false });
  let echoed = 0;
  const problems = [];
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  await channel.consume(from, (message) => {
    if (message === null) {
      problems.push('the broker cancelled the consumer');
      finish();
      return;
    }
    channel.sendToQueue(to, message.content, { contentType: message.properties.contentType, messageId: message.properties.messageId, mandatory: true }, (error) => {
      if (error) problems.push(`not confirmed: ${error}`);
      channel.ack(message);
      if (++echoed === count) setTimeout(finish, 300);
    });
  });
  const timer = setTimeout(() => {
    problems.push(`timed out after ${timeoutMs} ms`);
    finish();
  }, timeoutMs);
  console.log('ready');
  await done;
  clearTimeout(timer);
  console.log(JSON.stringify({ echoed, problems }));
  await connection.close();
  process.exit(echoed === count && problems.length === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
