#!/usr/bin/env bash
# The demo: builds the Shop sample (samples/Shop.*: a Contracts library and three services), runs the system check over
# their manifests, starts a private RabbitMQ node (installing rabbitmq-server if needed), starts the notifications and
# fulfilment services as separate processes, runs the storefront against them, shows what flowed, the metrics each
# process saw and the system diagram, and stops everything again.
# With WARREN_DEMO_AMQP_URL set (as `bash samples/broker.sh start DIR` prints), it uses that broker and starts none.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

configuration=Release
dir=/tmp/warren-demo-unused
[ -n "${WARREN_DEMO_AMQP_URL:-}" ] || dir=$(mktemp -d /tmp/warren-demo-XXXXXX)
logs=$(mktemp -d /tmp/warren-demo-logs-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -z "${WARREN_DEMO_AMQP_URL:-}" ]; then
    bash samples/broker.sh stop "$dir" || true
  fi
  rm -rf "$logs"
}
trap cleanup EXIT

bin() { echo "samples/$1/bin/$configuration/net10.0/$1.dll"; }

# Waits until a service's log has at least N lines matching a pattern (services log as they handle messages).
wait_for() {
  local log=$1 pattern=$2 count=$3 deadline=$((SECONDS + 60))
  while [ ! -f "$log" ] || [ "$(grep -cE -- "$pattern" "$log" || true)" -lt "$count" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "timed out waiting for $count lines matching '$pattern' in $(basename "$log"):" >&2
      cat "$log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

echo "==> building the Shop sample and checking the system (dotnet build samples/Shop.System)"
dotnet build samples/Shop.System -c "$configuration" -m:2 -nologo -v minimal -clp:NoSummary | grep -vE '^\s+[A-Za-z.]+ -> ' || {
  echo "the build or the system check failed" >&2
  exit 1
}

echo
if [ -n "${WARREN_DEMO_AMQP_URL:-}" ]; then
  url=$WARREN_DEMO_AMQP_URL
else
  echo "==> starting a private RabbitMQ node"
  bash samples/broker.sh start "$dir"
  url=$(cat "$dir/url")
fi

echo
echo "==> starting the notifications and fulfilment services against amqp://${url##*@}"
for service in Shop.Notifications Shop.Fulfilment; do
  RABBITMQ_URL="$url" dotnet "$(bin "$service")" >"$logs/$service.log" 2>&1 &
  pids+=($!)
done
wait_for "$logs/Shop.Notifications.log" '\] ready' 1
wait_for "$logs/Shop.Fulfilment.log" '\] ready' 1
echo "   both ready (pids ${pids[*]})"

echo
echo "==> running the storefront (a third process)"
RABBITMQ_URL="$url" dotnet "$(bin Shop.Storefront)"

echo
echo "==> what the services handled"
# notifications: 2 welcome mails, 3 user events and 1 order in analytics; fulfilment: 7 videos, 2 attempts at the
# corrupt one and its dead letter, 3 stock checks, 1 payment.
wait_for "$logs/Shop.Notifications.log" '(email|analytics) ' 6
wait_for "$logs/Shop.Fulfilment.log" 'processed ' 7
wait_for "$logs/Shop.Fulfilment.log" 'dead letter ' 1
wait_for "$logs/Shop.Fulfilment.log" '(inventory|payment) ' 4
grep -hE '^\[(notifications|fulfilment)\] [a-z]' "$logs/Shop.Notifications.log" "$logs/Shop.Fulfilment.log" | grep -v '\] ready' | sed 's/^/   /'

echo
echo "==> stopping the services gracefully (SIGTERM); the metrics each one saw"
for pid in "${pids[@]}"; do
  kill -TERM "$pid"
done
for pid in "${pids[@]}"; do
  wait "$pid" || echo "process $pid exited with $?" >&2
done
pids=()
for service in Shop.Notifications Shop.Fulfilment; do
  sed -n '/stopped gracefully/,$p' "$logs/$service.log"
done

echo
echo "==> the system (samples/Shop.System/bin/$configuration/net10.0/warren/system.mmd)"
cat "samples/Shop.System/bin/$configuration/net10.0/warren/system.mmd"
