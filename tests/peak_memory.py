"""Peak resident memory of one process, as the kernel counts it for that process alone.

`getrusage().ru_maxrss` (and wait4's) is carried over from the parent across fork and
exec on Linux, so a child of a test process that has loaded spaCy reports the parent's
peak. `VmHWM` in /proc/PID/status belongs to the process's own address space, which exec
starts afresh: that is what is read here, by the process itself as it exits.
"""
import sys

# `python -c RUN_AND_REPORT_PEAK PEAK_FILE MODULE ARGS...` runs `python -m MODULE ARGS...`
# and writes the process's peak resident memory, in MB, to PEAK_FILE when it exits.
RUN_AND_REPORT_PEAK = """
import atexit, runpy, sys
peak_file, module = sys.argv[1], sys.argv[2]
def report():
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(peak_file, "w") as out:
        out.write(str(kb / 1024))
atexit.register(report)
sys.argv = [module, *sys.argv[3:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def own_peak_mb() -> float:
    """This process's peak resident memory in MB (Linux)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


if __name__ == "__main__":
    print(own_peak_mb(), file=sys.stderr)
