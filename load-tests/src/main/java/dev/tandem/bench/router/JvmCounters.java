package dev.tandem.bench.router;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the whole JVM (router and in-process client together) spent over an interval: CPU time,
 * bytes allocated, garbage-collector pauses and JIT compilation (which competes for the cores while
 * the code is not warm). Taken with {@link #now()} before and after, then {@link #minus}.
 *
 * @param cpuNanos process CPU time, all threads
 * @param allocatedBytes bytes allocated by all threads
 * @param gcPauses stop-the-world pauses (collections of the collectors that pause; ZGC's and G1's
 *     concurrent cycles are not counted, their remark and cleanup pauses are)
 * @param gcPauseMillis total length of those pauses
 * @param jitMillis time the JIT compiler threads spent compiling
 */
record JvmCounters(
    long cpuNanos, long allocatedBytes, long gcPauses, long gcPauseMillis, long jitMillis) {

  static JvmCounters now() {
    long pauses = 0;
    long pauseMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (!gc.getName().contains("Cycles")) { // ZGC reports its concurrent cycles separately
        pauses += Math.max(0, gc.getCollectionCount());
        pauseMillis += Math.max(0, gc.getCollectionTime());
      }
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new JvmCounters(
        os.getProcessCpuTime(),
        threads.getTotalThreadAllocatedBytes(),
        pauses,
        pauseMillis,
        ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
  }

  JvmCounters minus(JvmCounters before) {
    return new JvmCounters(
        cpuNanos - before.cpuNanos,
        allocatedBytes - before.allocatedBytes,
        gcPauses - before.gcPauses,
        gcPauseMillis - before.gcPauseMillis,
        jitMillis - before.jitMillis);
  }
}
