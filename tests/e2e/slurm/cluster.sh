# shellcheck shell=bash
# cluster.sh -- sourced by tests/e2e/test_slurm.sh: a one-node Slurm on
# localhost, made from scratch under a folder and taken down again.
#
#   slurm_up DIR [SCOPE]  munged (own key and socket), slurmctld and slurmd,
#                    all with files under DIR; exports SLURM_CONF; returns 0
#                    once the node is idle, else 1 with SLURM_WHY set. SCOPE
#                    (default DIR) holds DIR and the jobs' folders.
#   slurm_down       kills every process with its cwd or a file in SCOPE:
#                    the daemons, and the job steps and tasks (slurmstepd
#                    and its tasks outlive slurmd).
#   slurm_watchdog OWNER [DIR]  the same once OWNER is gone, if OWNER was
#                    killed (SIGKILL: no trap) before it could; removes DIR.
#   slurm_logs       the last lines of each daemon's log, for a failure.
#
# Nothing touches the system's Slurm or munge: every path, port and pid file
# is ours, and the daemons run in the foreground as children of this shell.

SLURM_DIR=""
SLURM_SCOPE=""
SLURM_PIDS=()
SLURM_WHY=""

# slurm_free_port: a TCP port nobody listens on (per /proc/net/tcp*), in an
# unusual range.
slurm_free_port() {
    local p i hex
    for ((i = 0; i < 50; i++)); do
        p=$((31000 + RANDOM % 8000))
        printf -v hex ':%04X ' "$p"
        if ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '{ print $2 " " }' | grep -q "$hex"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

slurm_write_conf() { # DIR CTLD_PORT SLURMD_PORT
    local d=$1
    # config_overrides: the node claims 4 CPUs and a little memory whatever
    # the machine has, so srun -n 3 fits on a 2-core container. No cgroups
    # (linuxproc, task/none), no accounting. batch_sched_delay=0: a batch
    # job starts within a second, not three; MinJobAge=5 keeps sbatch
    # --wait polling every 2 s (it stretches to 8 s when MinJobAge >= 16);
    # kill_invalid_depend cancels a job whose afterok can never be met.
    cat >"$d/slurm.conf" <<EOF
ClusterName=ladletest
SlurmctldHost=localhost
SlurmctldPort=$2
SlurmdPort=$3
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=5
KillWait=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=4 Sockets=1 CoresPerSocket=4 ThreadsPerCore=1 RealMemory=500 State=UNKNOWN
PartitionName=ladle Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

# slurm_wait PID SECONDS CMD...: polls CMD every 0.2 s until it succeeds; 1
# if it does not within SECONDS or daemon PID exits first.
slurm_wait() {
    local pid=$1 secs=$2 i
    shift 2
    for ((i = 0; i < secs * 5; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

slurm_node_idle() {
    [ "$(timeout 10 sinfo -h -n localhost -o %T 2>/dev/null)" = idle ]
}

slurm_up() {
    local d=$1 ctld_port slurmd_port
    SLURM_DIR=$d
    SLURM_SCOPE=${2:-$d}
    mkdir -p "$d/munge" "$d/state" "$d/spool" || return 1
    chmod 700 "$d/munge"
    # munged: its own key, socket, pid, seed and log under DIR.
    if ! mungekey --create --keyfile="$d/munge/munge.key" >/dev/null 2>&1; then
        dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 2>/dev/null || return 1
    fi
    chmod 400 "$d/munge/munge.key"
    munged --foreground --force --socket="$d/munge/munge.sock" \
        --key-file="$d/munge/munge.key" --pid-file="$d/munge/munged.pid" \
        --seed-file="$d/munge/munged.seed" --log-file="$d/munge/munged.log" \
        >"$d/munge/munged.out" 2>&1 &
    SLURM_PIDS+=($!)
    if ! slurm_wait $! 10 test -S "$d/munge/munge.sock"; then
        SLURM_WHY="munged did not open its socket (exited, or not within 10 s)"
        return 1
    fi
    ctld_port=$(slurm_free_port) && slurmd_port=$(slurm_free_port) || {
        SLURM_WHY="no free TCP port found"
        return 1
    }
    [ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))
    slurm_write_conf "$d" "$ctld_port" "$slurmd_port"
    export SLURM_CONF=$d/slurm.conf
    # -i: ignore any old state (there is none, but never read the system's).
    slurmctld -D -i -f "$SLURM_CONF" >"$d/slurmctld.out" 2>&1 &
    SLURM_PIDS+=($!)
    if ! slurm_wait $! 20 timeout 5 scontrol ping; then
        SLURM_WHY="slurmctld did not answer scontrol ping (exited, or not within 20 s)"
        return 1
    fi
    slurmd -D -N localhost -f "$SLURM_CONF" >"$d/slurmd.out" 2>&1 &
    SLURM_PIDS+=($!)
    if ! slurm_wait $! 30 slurm_node_idle; then
        SLURM_WHY="node localhost not idle (slurmd exited, or not within 30 s) (sinfo: $(timeout 5 sinfo -h -o '%T %E' 2>&1))"
        return 1
    fi
    return 0
}

# slurm_kill_scope: SIGKILL to every process (but this shell) with its cwd
# or an open file under SLURM_SCOPE: the daemons (their logs), slurmstepd
# (its spool) and the jobs' tasks (their --chdir and output), which slurmd
# leaves running when it stops.
slurm_kill_scope() {
    local p found=()
    [ -n "$SLURM_SCOPE" ] || return 0
    for p in $(find /proc/[0-9]*/cwd /proc/[0-9]*/fd -maxdepth 1 \
        \( -lname "$SLURM_SCOPE" -o -lname "$SLURM_SCOPE/*" \) 2>/dev/null |
        cut -d/ -f3 | sort -u); do
        [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] || found+=("$p")
    done
    [ ${#found[@]} -gt 0 ] && kill -9 "${found[@]}" 2>/dev/null
    return 0
}

slurm_down() {
    local p
    [ -n "$SLURM_DIR" ] || return 0
    slurm_kill_scope
    for p in ${SLURM_PIDS[@]+"${SLURM_PIDS[@]}"}; do
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    slurm_kill_scope # anything forked while the first sweep ran
    SLURM_PIDS=()
    SLURM_DIR=""
}

# slurm_watchdog OWNER [DIR]: a process outside OWNER's process tree (setsid
# and reparented, so a kill of the tree or group misses it) that waits for
# OWNER to go and then, if SLURM_DIR is still there (OWNER was killed before
# its own slurm_down and cleanup), takes the cluster down and removes DIR.
slurm_watchdog() {
    local self
    self=$(realpath "${BASH_SOURCE[0]}")
    (setsid bash -c '
        . "$1"
        owner=$2 rmdir=$3 SLURM_DIR=$4 SLURM_SCOPE=$5
        shift 5
        SLURM_PIDS=("$@")
        while kill -0 "$owner" 2>/dev/null; do sleep 1; done
        [ -d "$SLURM_DIR" ] || exit 0
        slurm_down
        [ -n "$rmdir" ] && rm -rf "$rmdir"
    ' _ "$self" "$1" "${2:-}" "$SLURM_DIR" "$SLURM_SCOPE" ${SLURM_PIDS[@]+"${SLURM_PIDS[@]}"} \
        </dev/null >/dev/null 2>&1 &)
}

slurm_logs() {
    local f
    for f in "$SLURM_DIR"/munge/munged.log "$SLURM_DIR"/slurmctld.log "$SLURM_DIR"/slurmd.log \
        "$SLURM_DIR"/*.out; do
        [ -f "$f" ] || continue
        echo "--- $f (last lines)"
        tail -n 15 "$f"
    done
}
