package dev.tandem.bench.router;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The longest stop-the-world collection of this JVM since {@link #reset()}, from the collectors'
 * notifications (the MXBean counters give only counts and totals). ZGC's concurrent cycles are not
 * pauses and are left out, as in {@link JvmCounters}; so are collections asked for with {@code
 * System.gc()} (the load client's, between levels).
 *
 * <p>Threading: notifications arrive on a JMX thread; {@link #reset} and {@link #millis} from any
 * thread.
 */
final class LongestGcPause {

  private final AtomicLong longest = new AtomicLong();

  LongestGcPause() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter && !gc.getName().contains("Cycles")) {
        emitter.addNotificationListener(
            (notification, handback) -> {
              if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                  notification.getType())) {
                GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from(
                        (CompositeData) notification.getUserData());
                if (!info.getGcCause().contains("System.gc")) { // the client's own, between levels
                  longest.accumulateAndGet(info.getGcInfo().getDuration(), Math::max);
                }
              }
            },
            null,
            null);
      }
    }
  }

  void reset() {
    longest.set(0);
  }

  /** Milliseconds; 0 when there was none. */
  long millis() {
    return longest.get();
  }
}
