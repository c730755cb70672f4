"""Runs every test_* function in tests/e2e/test_*.py, two at a time, and counts them.

Usage: python3 tests/e2e/run.py [-j N] [-k SUBSTRING]
Prints PASS/FAIL per test and ends with "e2e: N passed, M failed".
"""
import argparse
import concurrent.futures
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
TEST_TIMEOUT_S = 600


def discover(substring):
    tests = []
    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attr in sorted(dir(module)):
            if attr.startswith("test_") and callable(getattr(module, attr)):
                full = f"{name[:-3]}.{attr}"
                if substring is None or substring in full:
                    tests.append((name, attr, full))
    return tests


def run_one(item):
    name, attr, full = item
    spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
    module = importlib.util.module_from_spec(spec)
    start = time.monotonic()
    try:
        spec.loader.exec_module(module)
        getattr(module, attr)()
        return full, True, "", time.monotonic() - start
    except BaseException:  # a test's failure of any kind is reported, never fatal
        return full, False, traceback.format_exc(), time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-j", type=int, default=2)
    parser.add_argument("-k", default=None)
    args = parser.parse_args()
    tests = discover(args.k)
    passed = failed = 0
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.j) as pool:
        futures = {pool.submit(run_one, t): t for t in tests}
        for future in concurrent.futures.as_completed(futures):
            try:
                full, ok, detail, seconds = future.result(timeout=TEST_TIMEOUT_S)
            except Exception as e:  # worker crashed or timed out
                full, ok, detail, seconds = futures[future][2], False, repr(e), 0.0
            if ok:
                passed += 1
                print(f"PASS {full} ({seconds:.1f}s)", flush=True)
            else:
                failed += 1
                print(f"FAIL {full} ({seconds:.1f}s)\n{detail}", flush=True)
    print(f"e2e: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
