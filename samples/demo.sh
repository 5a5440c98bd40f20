#!/usr/bin/env bash
# The demo: starts a private RabbitMQ node (installing rabbitmq-server if needed), runs samples/Warren.Demo against
# it, shows what happened, and stops the node again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dir=$(mktemp -d /tmp/warren-demo-XXXXXX)
cleanup() { bash samples/broker.sh stop "$dir" || true; }
trap cleanup EXIT

echo "==> starting a private RabbitMQ node"
bash samples/broker.sh start "$dir"
url=$(cat "$dir/url")

echo "==> building the demo"
dotnet build samples/Warren.Demo -c Release -m:2 -nologo -v quiet -clp:NoSummary

echo "==> running the demo against amqp://${url##*@}"
RABBITMQ_URL="$url" dotnet run --project samples/Warren.Demo -c Release --no-build
