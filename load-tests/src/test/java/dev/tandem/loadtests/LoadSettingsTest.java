package dev.tandem.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class LoadSettingsTest {

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void defaultsFinishInAboutAMinuteAgainstTheLocalRouter() {
    LoadSettings s = LoadSettings.from(props());
    assertEquals("http://127.0.0.1:8080", s.target());
    assertEquals("127.0.0.1:8080", s.authority());
    assertEquals(LoadSettings.Profile.CONSTANT, s.profile());
    assertEquals(Duration.ofSeconds(60), s.duration());
    assertEquals(LoadSettings.WORKLOADS, s.workloads());
  }

  @Test
  void propertiesOverrideTheDefaults() {
    LoadSettings s =
        LoadSettings.from(
            props(
                "tandem.target", "http://10.0.0.5:9000/",
                "tandem.profile", "Spike",
                "tandem.rate", "20",
                "tandem.duration", "30s",
                "tandem.workloads", "code, chat",
                "tandem.sla.ttftP99Ms", "250"));
    assertEquals("http://10.0.0.5:9000", s.target());
    assertEquals(LoadSettings.Profile.SPIKE, s.profile());
    assertEquals(20.0, s.rate());
    assertEquals(Duration.ofSeconds(30), s.duration());
    assertEquals(List.of("code", "chat"), s.workloads());
    assertEquals(250, s.sla().ttftP99Millis());
  }

  @Test
  void aBadValueIsRejectedNamingThePropertyAndItsRange() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> LoadSettings.from(props("tandem.rate", "0")));
    assertEquals("tandem.rate must be in 0.1..10000, got 0", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LoadSettings.from(props("tandem.profile", "burst")));
    assertTrue(e.getMessage().startsWith("tandem.profile must be one of"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LoadSettings.from(props("tandem.workloads", "code,poetry")));
    assertTrue(e.getMessage().contains("got poetry"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LoadSettings.from(props("tandem.sla.maxErrorPercent", "lots")));
    assertEquals("tandem.sla.maxErrorPercent must be a number, got lots", e.getMessage());
  }
}
