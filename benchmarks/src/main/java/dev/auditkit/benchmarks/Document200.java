package dev.auditkit.benchmarks;

/**
 * The 200-field nested document of {@link DiffBenchmark}: ten {@link Account20} sections (200
 * leaf fields, plus their list and map entries).
 */
public final class Document200 {
  private String id;
  private Account20 s0;
  private Account20 s1;
  private Account20 s2;
  private Account20 s3;
  private Account20 s4;
  private Account20 s5;
  private Account20 s6;
  private Account20 s7;
  private Account20 s8;
  private Account20 s9;

  public Document200() {}

  static Document200 sample() {
    Document200 d = new Document200();
    d.id = "doc-1";
    d.s0 = Account20.sample(0);
    d.s1 = Account20.sample(1);
    d.s2 = Account20.sample(2);
    d.s3 = Account20.sample(3);
    d.s4 = Account20.sample(4);
    d.s5 = Account20.sample(5);
    d.s6 = Account20.sample(6);
    d.s7 = Account20.sample(7);
    d.s8 = Account20.sample(8);
    d.s9 = Account20.sample(9);
    return d;
  }

  /** A deep copy with three fields changed in two of the sections. */
  Document200 withThreeChanges() {
    Document200 d = new Document200();
    d.id = id;
    d.s0 = s0.copy();
    d.s1 = s1.copy();
    d.s2 = s2.withThreeChanges();
    d.s3 = s3.copy();
    d.s4 = s4.copy();
    d.s5 = s5.copy();
    d.s6 = s6.copy();
    d.s7 = s7.copy();
    d.s8 = s8.copy();
    d.s9 = s9.copy();
    return d;
  }

  public String getId() {
    return id;
  }

  public Account20 getS0() {
    return s0;
  }

  public Account20 getS1() {
    return s1;
  }

  public Account20 getS2() {
    return s2;
  }

  public Account20 getS3() {
    return s3;
  }

  public Account20 getS4() {
    return s4;
  }

  public Account20 getS5() {
    return s5;
  }

  public Account20 getS6() {
    return s6;
  }

  public Account20 getS7() {
    return s7;
  }

  public Account20 getS8() {
    return s8;
  }

  public Account20 getS9() {
    return s9;
  }
}
