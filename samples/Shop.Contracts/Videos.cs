using System;
using Warren;

namespace Shop.Contracts;

// Task queue: work items on a direct exchange with a default priority; a task that cannot be processed ends in the
// worker's dead-letter queue.

[Exchange("shop.tasks", ExchangeKind.Direct)]
[Topic("video.process")]
[Message("video.process")]
[Priority(1)]
public sealed record ProcessVideo(string TaskId, Uri VideoUrl, int Seconds);
