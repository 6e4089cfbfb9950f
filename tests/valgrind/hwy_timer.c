/* hwy_timer.c: preloaded into programs run under valgrind by the leak tests.
 *
 * FFmpeg's libavcodec loads libjxl, which loads libhwy (Highway), whose start-up code measures
 * its timer with RDTSCP when CPUID says the CPU has it. Under valgrind 3.19 on a machine whose
 * CPU lacks RDTSCP (some virtual machines), valgrind's simulated CPUID says it is there but its
 * decoder refuses the instruction, and every program dies with SIGILL before main. This
 * definition takes the place of hwy::platform::TimerResolution(), which libhwy calls through its
 * PLT, so the instruction never runs. Ladder never uses Highway's timers. */
unsigned long long _ZN3hwy8platform15TimerResolutionEv(void);

unsigned long long _ZN3hwy8platform15TimerResolutionEv(void)
{
    return 1;
}
