#!/usr/bin/env node
// Sends plain-text messages exactly the way the RabbitMQ tutorials 1–5 declare and publish them (plain strings, no
// content-type, no type), on a confirm channel and mandatory so that the counts can be checked. Usage:
//   node tutorial_send.js <amqp-url> <run-id> <count-per-shape>
// Prints one JSON line {"sent": {...shape: count}, "problems": [...]}; exits 0 only if everything was confirmed and routed.
const amqp = require('amqplib');

const [url, runId, countText] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
const severities = ['info', 'warning', 'error'];
const topicKeys = ['kern.critical', 'kern.info', 'cron.critical', 'cron.info', 'auth.warning.extra'];

(async () => {
  const connection = await amqp.connect(url);
  const problems = [];
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('return', (message) => {
      if (problems.length < 5) problems.push(`unroutable: exchange '${message.fields.exchange}', key '${message.fields.routingKey}'`);
    });
    const sent = { hello: 0, task_queue: 0, logs: 0, direct_logs: 0, topic_logs: 0 };

    // Tutorial 1 (send.js): a non-durable queue on the default exchange.
    await channel.assertQueue('hello', { durable: false });
    // Tutorial 2 (new_task.js): a durable queue, persistent messages; dots stand for seconds of work.
    await channel.assertQueue('task_queue', { durable: true });
    // Tutorials 3–5: non-durable exchanges.
    await channel.assertExchange('logs', 'fanout', { durable: false });
    await channel.assertExchange('direct_logs', 'direct', { durable: false });
    await channel.assertExchange('topic_logs', 'topic', { durable: false });

    for (let i = 0; i < count; i++) {
      channel.sendToQueue('hello', Buffer.from(`${runId} Hello World! ${i}`), { mandatory: true });
      sent.hello++;
      channel.sendToQueue('task_queue', Buffer.from(`${runId} task ${i}${'.'.repeat(i % 4)}`), { persistent: true, mandatory: true });
      sent.task_queue++;
      channel.publish('logs', '', Buffer.from(`${runId} log ${i} — ünïcödé ✓`), { mandatory: true });
      sent.logs++;
      // Every severity is published; the Warren consumer binds warning and error only (unrouted info is not mandatory).
      const severity = severities[i % severities.length];
      channel.publish('direct_logs', severity, Buffer.from(`${runId} ${severity} ${i}`), { mandatory: severity !== 'info' });
      sent.direct_logs++;
      const key = topicKeys[i % topicKeys.length];
      channel.publish('topic_logs', key, Buffer.from(`${runId} ${key} ${i}`), { mandatory: key !== 'cron.info' && key !== 'auth.warning.extra' });
      sent.topic_logs++;
    }

    await channel.waitForConfirms();
    // Returns arrive before the confirms of their messages.
    console.log(JSON.stringify({ sent, problems }));
    await channel.close();
  } finally {
    await connection.close();
  }
  process.exit(problems.length === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
