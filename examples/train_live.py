"""Train with the joint flow in a loop of your own and watch it live.

    python examples/train_live.py --steps 3000

The loop is yours: step the session, read what you need, and let the window redraw with
``sheafviz.process_events()``. Close the window to stop early; at the end the window stays
open until you close it (``--exit`` closes it instead).
"""

from __future__ import annotations

import argparse
import sys
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="paraboloid", help="a preset with a data set")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--chunk", type=int, default=20, help="steps between two redraws")
    parser.add_argument("--exit", action="store_true", help="close the window at the end")
    args = parser.parse_args(argv)
    if args.steps < 0 or args.chunk < 1:
        parser.error("--steps must be ≥ 0 and --chunk ≥ 1")

    import sheafviz

    viewer = sheafviz.Viewer(preset=args.preset)
    session = viewer.session
    session.set_example(None)        # the whole data set as one batch
    session.mode = "joint"           # the weights learn
    start = time.perf_counter()
    while session.steps < args.steps and viewer.is_open:
        session.step(min(args.chunk, args.steps - session.steps))
        sheafviz.process_events()    # redraw, and handle clicks, between two chunks
        if session.steps % 500 < args.chunk:
            print(f"step {session.steps}: E of the shown example = {session.snapshot.energy:.4g}")
    print(f"{session.steps} steps in {time.perf_counter() - start:.1f} s")
    if args.exit:
        viewer.close()
    return sheafviz.run()            # returns at once in IPython or when already closed


if __name__ == "__main__":
    sys.exit(main())
