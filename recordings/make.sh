#!/bin/sh
# Regenerates every example recording in this directory with `reptempo sim`.
# Run it from anywhere: recordings/make.sh (REPTEMPO=.venv/bin/reptempo picks another executable).
# The same command and seed give the same data: tests/test_cli_sim.py regenerates one and compares.
set -eu
cd "$(dirname "$0")"
REPTEMPO=${REPTEMPO:-reptempo}
run() { "$REPTEMPO" "$@"; echo; }

run sim --out dead_bug.mcap --exercise dead_bug --seed 11 --reps 6
run sim --out heel_taps.mcap --exercise heel_taps --seed 12 --reps 6 --core strong
run sim --out single_leg_lift_shin_only.mcap --exercise single_leg_lift --seed 13 --reps 5 --sensors shin
run sim --out bent_knee_lift_25hz.mcap --exercise bent_knee_lift --seed 14 --sets 2 --reps 4 --rest 15 --rate 25
run sim --out straight_leg_lift_weak_core.mcap --exercise straight_leg_lift --seed 15 --reps 6 --core weak
run sim --out straight_leg_lift_swung.mcap --exercise straight_leg_lift --seed 16 --reps 6 --core strong --swing 0.5 --tempo 2-0-1-0
run sim --out hanging_leg_raise.mcap --exercise hanging_leg_raise --seed 17 --reps 5 --swing 0.3
run sim --out reverse_crunch_bad_link.mcap --exercise reverse_crunch --seed 18 --reps 6 --loss 0.05 --loss-burst 4 --samples-per-packet 4 --aligned-mounts
