package dev.auditkit.benchmarks;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The 20-field POJO of {@link DiffBenchmark}: strings, longs, BigDecimals, Instants, a List and a
 * Map, with getters (for Jackson and auditkit) and private fields (for JaVers' default field access).
 */
public final class Account20 {
  private String id;
  private String name;
  private String email;
  private String phone;
  private String street;
  private String city;
  private String country;
  private String status;
  private long version;
  private long ownerId;
  private long loginCount;
  private long quota;
  private BigDecimal balance;
  private BigDecimal creditLimit;
  private BigDecimal discount;
  private Instant createdAt;
  private Instant updatedAt;
  private Instant lastLogin;
  private List<String> tags;
  private Map<String, String> settings;

  public Account20() {}

  static Account20 sample(int seed) {
    Account20 a = new Account20();
    a.id = "acc-" + seed;
    a.name = "Ann Example";
    a.email = "ann@example.com";
    a.phone = "+1 407 555 1234";
    a.street = "1 Main Street";
    a.city = "Orlando";
    a.country = "US";
    a.status = "ACTIVE";
    a.version = 7;
    a.ownerId = 42_000L + seed;
    a.loginCount = 1_234;
    a.quota = 10_000;
    a.balance = new BigDecimal("1250.50");
    a.creditLimit = new BigDecimal("5000.00");
    a.discount = new BigDecimal("0.15");
    a.createdAt = Instant.parse("2025-01-01T10:00:00Z");
    a.updatedAt = Instant.parse("2026-11-20T09:30:00Z");
    a.lastLogin = Instant.parse("2026-11-22T18:45:12Z");
    a.tags = List.of("vip", "beta", "newsletter");
    a.settings = Map.of("theme", "dark", "lang", "en", "tz", "America/New_York");
    return a;
  }

  Account20 copy() {
    Account20 a = new Account20();
    a.id = id;
    a.name = name;
    a.email = email;
    a.phone = phone;
    a.street = street;
    a.city = city;
    a.country = country;
    a.status = status;
    a.version = version;
    a.ownerId = ownerId;
    a.loginCount = loginCount;
    a.quota = quota;
    a.balance = balance;
    a.creditLimit = creditLimit;
    a.discount = discount;
    a.createdAt = createdAt;
    a.updatedAt = updatedAt;
    a.lastLogin = lastLogin;
    a.tags = tags;
    a.settings = settings;
    return a;
  }

  /** A copy with three fields changed: a string, a BigDecimal and an Instant. */
  Account20 withThreeChanges() {
    Account20 a = copy();
    a.city = "Tampa";
    a.balance = new BigDecimal("1180.25");
    a.lastLogin = Instant.parse("2026-11-23T07:00:00Z");
    return a;
  }

  public String getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public String getEmail() {
    return email;
  }

  public String getPhone() {
    return phone;
  }

  public String getStreet() {
    return street;
  }

  public String getCity() {
    return city;
  }

  public String getCountry() {
    return country;
  }

  public String getStatus() {
    return status;
  }

  public long getVersion() {
    return version;
  }

  public long getOwnerId() {
    return ownerId;
  }

  public long getLoginCount() {
    return loginCount;
  }

  public long getQuota() {
    return quota;
  }

  public BigDecimal getBalance() {
    return balance;
  }

  public BigDecimal getCreditLimit() {
    return creditLimit;
  }

  public BigDecimal getDiscount() {
    return discount;
  }

  public Instant getCreatedAt() {
    return createdAt;
  }

  public Instant getUpdatedAt() {
    return updatedAt;
  }

  public Instant getLastLogin() {
    return lastLogin;
  }

  public List<String> getTags() {
    return tags;
  }

  public Map<String, String> getSettings() {
    return settings;
  }
}
