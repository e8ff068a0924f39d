#!/usr/bin/env bash
# Slurm for real (issue 11): a one-node Slurm on localhost (munged with its
# own key and socket, slurmctld, slurmd; tests/e2e/slurm/cluster.sh), made
# under the temp dir and taken down on every exit path, runs
#   a) job arrays (--array=0-2 and 1-3: the task ids need not start at 0) of
#      `ladle sample --part slurm --state PART`, then `ladle merge` of the
#      parts, in two orders, grouped, and from a dependent job
#      (--dependency=afterok), each equal byte for byte to one run;
#   b) `srun -n 3 --mpi=pmix ladle-mpi sample` (Debian's Open MPI starts
#      under srun only through PMIx: pmi2 and none fail in MPI_Init), equal
#      to one run. Needs build/ladle-mpi; without it this part is noted and
#      left out, unless LADLE_SLURM_MPI=1 makes that a failure.
# Inputs: a plain log and a multi-frame .zst, both cut into byte ranges by
# the 3-part plan (checked), and a small free-text file. About 8 s.
#
# Skips (77) only when not root (the daemons run as SlurmUser=root) or
# slurmctld is not installed (scripts/deps.sh installs slurm-wlm and munge).
# Registered for builds without a sanitizer only (tests/CMakeLists.txt).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slurm/cluster.sh"
L=$LADLE
PATH=$PATH:/usr/sbin:/sbin

[ "$(id -u)" = 0 ] || skip "not root: this one-node Slurm runs its daemons as SlurmUser=root"
command -v slurmctld >/dev/null || skip "slurmctld is not installed (scripts/deps.sh installs slurm-wlm)"
for c in slurmd munged sbatch srun sinfo scontrol zstd; do
    command -v "$c" >/dev/null || {
        echo "FAIL: $c is not installed (scripts/deps.sh installs slurm-wlm, munge and zstd)"
        exit 1
    }
done

# The cluster goes down before lib.sh removes $T, on every exit path.
trap 'slurm_down; e2e_cleanup' EXIT

W=$T/w # the jobs' folder (the shared filesystem of a real cluster)
mkdir -p "$W"
# a.log (3 MB) and b.log.zst (4 frames, 2.5 MB) are both cut between the 3
# parts: the frames are compressed from files, so each header gives its
# content size (a frame without it ends the cuts in its file).
make_log "$W/a.log" 14000 11
for s in 21 22 23 24; do
    make_log "$W/frame" 20000 $s
    zstd -q -c "$W/frame" >>"$W/b.log.zst"
done
rm -f "$W/frame"
seq 1 700 | sed 's/^/free text line /' >"$W/c.txt"
INPUTS=("$W/a.log" "$W/b.log.zst" "$W/c.txt")
save one "$L" sample -n 50 --seed 3 "${INPUTS[@]}"
expect_eq "one run samples 50 records" 50 "$(lines_of "$T/one")"
# The plan cuts both large files (--rate 1 prints a part's records): part 1
# holds the start of a.log only, part 3 the end of b.log.zst and c.txt.
for k in 1 3; do
    run "$L" sample --rate 1 --part $k/3 "${INPUTS[@]}"
    printf -v "n$k" '%s' "$(grep -c '"ts"' "$T/out")"
done
expect_true "part 1/3 holds part of a.log ($n1 of 14000 records)" test "$n1" -gt 0 -a "$n1" -lt 14000
expect_true "part 3/3 holds part of b.log.zst ($n3 of 80000 records)" test "$n3" -gt 0 -a "$n3" -lt 80000

t0=$SECONDS
if ! slurm_up "$T/slurm" "$T"; then
    fail "one-node Slurm did not start: $SLURM_WHY" "$(slurm_logs)"
    finish
fi
note "Slurm up in $((SECONDS - t0)) s"
slurm_watchdog $$ "$T"

# run_bg CMD...: `run`, but waited on in the background, so a signal's trap
# (lib.sh: exit, then the EXIT trap's slurm_down) fires at once.
run_bg() {
    LAST_CMD=$(q "$@")
    timeout -k 5 120 "$@" >"$T/out" 2>"$T/err" &
    wait $!
    RC=$?
}

# job_script FILE CMD...: a batch script that runs CMD (quoted here; the
# Slurm variables in it are expanded by the job).
job_script() {
    local f=$1
    shift
    {
        echo '#!/bin/bash'
        echo 'set -e'
        echo "exec $*"
    } >"$f"
    chmod +x "$f"
}

# sbatch_wait WHAT ARGS...: sbatch --wait ARGS (bounded); 0 when every task
# exited 0, else a failure showing the jobs' logs.
sbatch_wait() {
    local what=$1
    shift
    run_bg sbatch --wait --chdir="$W" "$@"
    if [ "$RC" = 0 ]; then
        pass
        return 0
    fi
    fail "$what: sbatch --wait exited $RC" "$(cat "$T/out" "$T/err")" \
        "$(tail -n 3 "$W"/*.log.out 2>/dev/null)" "$(slurm_logs | tail -n 30)"
    return 1
}

job_script "$W/part.sh" "$(q "$L") sample -n 50 --seed 3 --part slurm" \
    "--state \"$W/p\$SLURM_ARRAY_JOB_ID-\$SLURM_ARRAY_TASK_ID.st\"" "$(q "${INPUTS[@]}")"

# a) --array=0-2: the parts' states merge (here) to one run's bytes.
if sbatch_wait "array 0-2" --array=0-2 --output="$W/a%A_%a.log.out" "$W/part.sh"; then
    id=$(sed -n 's/^Submitted batch job //p' "$T/out")
    parts=("$W/p$id-0.st" "$W/p$id-1.st" "$W/p$id-2.st")
    expect_true "array 0-2 wrote 3 states" test -s "${parts[0]}" -a -s "${parts[1]}" -a -s "${parts[2]}"
    expect_same "$T/one" "$L" merge "${parts[@]}"
    expect_same "$T/one" "$L" merge "${parts[2]}" "${parts[0]}" "${parts[1]}"
    expect_rc 0 "$L" merge --state "$T/p20.st" "${parts[2]}" "${parts[0]}" # (3 1) 2
    expect_same "$T/one" "$L" merge "${parts[1]}" "$T/p20.st"
fi

# a') --array=1-3 (--part slurm counts from SLURM_ARRAY_TASK_MIN), merged by
# a job that waits for the whole array (afterok), as in doc/cluster-runs.md.
run timeout 30 sbatch --parsable --chdir="$W" --array=1-3 --output="$W/b%A_%a.log.out" "$W/part.sh"
id=$(cut -d';' -f1 "$T/out")
if [ "$RC" = 0 ] && [ -n "$id" ]; then
    job_script "$W/merge.sh" "$(q "$L") merge \"$W/p$id\"-*.st"
    if sbatch_wait "merge after array 1-3" --dependency=afterok:"$id" \
        --output="$W/merged.txt" --error="$W/merge.err" "$W/merge.sh"; then
        expect_true "array 1-3 wrote states 1..3" test -s "$W/p$id-1.st" -a -s "$W/p$id-3.st" \
            -a ! -e "$W/p$id-0.st"
        expect_same "$T/one" cat "$W/merged.txt"
    fi
else
    fail "sbatch --array=1-3 exited $RC" "$(cat "$T/err")"
fi

# b) srun -n 3 ladle-mpi: one MPI job of 3 ranks prints one run's bytes.
MPI=${LADLE_MPI:-$(dirname "$L")/ladle-mpi}
if [ -x "$MPI" ]; then
    run_bg srun -n 3 --mpi=pmix --chdir="$W" "$MPI" sample -n 50 --seed 3 "${INPUTS[@]}"
    expect_output_file "$T/one"
elif [ "${LADLE_SLURM_MPI:-0}" = 1 ]; then
    fail "LADLE_SLURM_MPI=1 but $MPI is not built (Open MPI missing at configure time?)"
else
    note "ladle-mpi not built: srun -n 3 ladle-mpi left out"
fi

note "Slurm part took $((SECONDS - t0)) s"
finish
