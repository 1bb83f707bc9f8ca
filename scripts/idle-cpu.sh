#!/usr/bin/env bash
# Measures shipdeck's CPU use while idle: starts the release binary in tmux (a real
# terminal), lets it settle, then reads utime+stime from /proc over a window.
# Usage: scripts/idle-cpu.sh [SECONDS]   (needs tmux; builds the release binary)
set -euo pipefail
secs=${1:-20}
cd "$(dirname "$0")/.."
cargo build --release --quiet
dir=$(mktemp -d)
trap 'tmux -S "$dir/sock" kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
cat > "$dir/kubeconfig" <<KC
apiVersion: v1
kind: Config
current-context: idle
clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]
contexts: [{name: idle, context: {cluster: c, user: u, namespace: default}}]
users: [{name: u, user: {token: t}}]
KC
# The wrapper writes its PID, then execs shipdeck in its place: that PID is shipdeck's.
tmux -S "$dir/sock" -f /dev/null new-session -d -x 120 -y 36 \
  "echo \$\$ > $dir/pid; exec env KUBECONFIG=$dir/kubeconfig HOME=$dir LANG=C.UTF-8 ${CARGO_TARGET_DIR:-$PWD/target}/release/shipdeck --log-file $dir/log"
for _ in $(seq 50); do
  [ -s "$dir/pid" ] && break
  sleep 0.1
done
pid=$(cat "$dir/pid" 2>/dev/null || true)
[ -n "$pid" ] || { echo "shipdeck did not start" >&2; exit 1; }
sleep 1
grep -q shipdeck "/proc/$pid/cmdline" || { echo "pid $pid is not shipdeck" >&2; exit 1; }
sleep 2
tck=$(getconf CLK_TCK)
read_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(read_ticks)
sleep "$secs"
t1=$(read_ticks)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
awk -v a="$t0" -v b="$t1" -v hz="$tck" -v s="$secs" -v rss="$rss" 'BEGIN {
  cpu = (b - a) / hz
  printf "idle for %ds: %.3f s CPU (%.2f %% of one core), RSS %.1f MiB\n", s, cpu, 100 * cpu / s, rss / 1024
}'
