#!/usr/bin/env bash
# A one-node Slurm on this machine, for the sweep tests that submit real job arrays (and for trying
# `muonsharp sweep --executor slurm` without a cluster).
#
#   scripts/slurm-single-node.sh start   install (Debian/Ubuntu, apt) what is missing, configure, start, wait until the node is idle
#   scripts/slurm-single-node.sh stop    cancel every job, stop slurmctld, slurmd and munged
#
# Needs root. Works in containers without systemd or cgroups: processes are tracked through /proc
# (proctrack/linuxproc), tasks are not confined (task/none), and there is no accounting daemon, so
# job state comes from squeue/scontrol (kept an hour after a job ends: MinJobAge) rather than sacct.
# Both commands are idempotent; .ci/run calls start before the tests and stop in an EXIT trap.
set -euo pipefail

readonly CONF=/etc/slurm/slurm.conf
readonly STATE=/var/spool/slurmctld
readonly LOGS=/var/log/slurm
readonly CTLD_PID=/run/slurmctld.pid
readonly SLURMD_PID=/run/slurmd.pid
readonly START_TIMEOUT_S=${SLURM_START_TIMEOUT_S:-60}

die() { echo "slurm-single-node: $*" >&2; exit 1; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_missing() {
  local tool missing=0
  for tool in slurmctld slurmd sbatch munged; do command -v "$tool" >/dev/null || missing=1; done
  [ "$missing" = 0 ] && return 0
  command -v apt-get >/dev/null || die "slurmctld, slurmd, sbatch or munged is missing and there is no apt-get to install them"
  # Package scripts would try to start the daemons through init; this script starts them itself.
  local blocked=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && blocked=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
  [ "$blocked" = 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

start_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null \
      || head -c 1024 /dev/urandom >/etc/munge/munge.key
  fi
  chown -R munge:munge /etc/munge && chmod 700 /etc/munge && chmod 400 /etc/munge/munge.key
  munge -n >/dev/null 2>&1 && return 0
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge && chmod 755 /run/munge
  rm -f /run/munge/munge.socket.2 /run/munge/munged.pid
  su -s /bin/sh munge -c 'munged --force'
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "munged did not answer (see /var/log/munge/munged.log)"
}

# The whole machine as one node in one default partition; CR_CPU schedules by cores, so a job
# array's tasks share the node up to its core count.
config_text() {
  local host cpus mem_mb
  host=$(hostname -s)
  cpus=$(nproc)
  mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
  cat <<CONF
ClusterName=single
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=${STATE}
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=${CTLD_PID}
SlurmdPidFile=${SLURMD_PID}
SlurmctldLogFile=${LOGS}/slurmctld.log
SlurmdLogFile=${LOGS}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=${LOGS}/jobcomp.log
MinJobAge=3600
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  [ "$(id -u)" = 0 ] || die "start needs root (it installs packages and starts daemons)"
  install_missing
  start_munge
  mkdir -p /etc/slurm "$STATE" /var/spool/slurmd "$LOGS"
  local wanted changed=0
  wanted=$(config_text)
  if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$wanted" ]; then
    printf '%s\n' "$wanted" >"$CONF"
    changed=1
  fi
  if alive "$CTLD_PID"; then
    [ "$changed" = 1 ] && scontrol reconfigure
  else
    slurmctld
  fi
  alive "$SLURMD_PID" || slurmd
  local host state=""
  host=$(hostname -s)
  for _ in $(seq $((START_TIMEOUT_S * 4))); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    case "$state" in idle | mixed | allocated) sinfo; return 0 ;; esac
    sleep 0.25
  done
  tail -n 20 "$LOGS/slurmctld.log" "$LOGS/slurmd.log" >&2 || true
  die "node '$host' did not become idle within ${START_TIMEOUT_S} s (state '${state}')"
}

# Sends TERM to the daemon in a pid file, waits up to 10 s, then KILL.
stop_daemon() {
  local pid_file=$1 pid
  # The daemon may remove its pid file between the test and the read (scontrol shutdown races us).
  pid=$(cat "$pid_file" 2>/dev/null) || return 0
  [ -n "$pid" ] || { rm -f "$pid_file"; return 0; }
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

stop() {
  if command -v scontrol >/dev/null && scontrol ping >/dev/null 2>&1; then
    local jobs
    jobs=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
    [ -n "${jobs// /}" ] && scancel --full $jobs 2>/dev/null || true
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  stop_daemon "$SLURMD_PID"
  stop_daemon "$CTLD_PID"
  if [ -f /run/munge/munged.pid ]; then
    munged --stop >/dev/null 2>&1 || stop_daemon /run/munge/munged.pid
  fi
  echo "slurm stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
