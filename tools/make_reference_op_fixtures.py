#!/usr/bin/python3
"""Generate the PyTorch reference cases listed in tests/fixtures/ops/index.json.

Run with Debian's PyTorch 1.13 (apt-get install python3-torch), from anywhere:

    /usr/bin/python3 tools/make_reference_op_fixtures.py           # writes the cases and index.json
    /usr/bin/python3 tools/make_reference_op_fixtures.py --verify-against DIR
        # writes nothing: recomputes every case from the inputs and upstream gradients stored in DIR's files
        # of the same names and prints how far each stored output and gradient is from this script's result

The cases (convolutions, normalisations, spectral norm, pooling, activations, losses, the relativistic GAN loss,
the WGAN-GP penalty, optimizers ...) are in tools/reference_cases_layers.py and tools/reference_cases_core.py;
tools/reference_fixture_runner.py turns each into a file. Format and conventions are those of
tools/make_fixtures.py (which makes the cases listed in index_generated.json): `in.NAME` inputs, `out` or
`out_X` outputs with upstream gradients `gout` / `gout_X`, other named outputs (`running_mean`, `u`, `sigma`)
without one, `grad.NAME` = d(sum over outputs of out * gout) / d NAME (absent where PyTorch returns none),
metadata `op` and `args` (a JSON string). Inputs are drawn float32-exact, everything is computed in float64,
and each case's seed comes from its file name, so the output is deterministic.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_cases_core  # noqa: E402,F401  (registers its cases)
import reference_cases_layers  # noqa: E402,F401  (registers its cases)
from make_fixtures import OUT_DIR  # noqa: E402
from reference_fixture_runner import CASES, run_case, verify_against  # noqa: E402

INDEX = os.path.join(OUT_DIR, "index.json")
GENERATED_INDEX = os.path.join(OUT_DIR, "index_generated.json")


def check_names():
    stems = [stem for stem, _, _, _ in CASES]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        sys.exit(f"cases registered twice: {', '.join(duplicates)}")
    if os.path.exists(GENERATED_INDEX):
        with open(GENERATED_INDEX) as f:
            taken = {e["file"] for e in json.load(f)} & {s + ".safetensors" for s in stems}
        if taken:
            sys.exit(f"{', '.join(sorted(taken))} belong to tools/make_fixtures.py (index_generated.json)")


def main(argv):
    check_names()
    cases = sorted(CASES, key=lambda c: c[0])
    if len(argv) == 2 and argv[0] == "--verify-against":
        failed = 0
        for stem, op, args, builder in cases:
            line = verify_against(argv[1], stem, op, args, builder)
            failed += "MISMATCH" in line or not line.startswith("worst")
            print(f"{stem:22s} {line}")
        print(f"{len(cases) - failed} of {len(cases)} cases agree")
        return 1 if failed else 0
    if argv:
        sys.exit(__doc__)
    os.makedirs(OUT_DIR, exist_ok=True)
    index = []
    for stem, op, args, builder in cases:
        index.append(run_case(stem, op, args, builder))
        print(f"{stem:22s} {op:20s} {json.dumps(args)}")
    tmp = INDEX + ".tmp"
    with open(tmp, "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    os.replace(tmp, INDEX)
    print(f"{len(index)} fixtures written to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
