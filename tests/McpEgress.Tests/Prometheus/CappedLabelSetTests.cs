using McpEgress.Export.Prometheus;

namespace McpEgress.Tests.Prometheus;

public class CappedLabelSetTests
{
    [Fact]
    public void FirstNDistinctValuesKept_LaterOnesFoldIntoOther()
    {
        var set = new CappedLabelSet(3);
        Assert.Equal("a", set.Map("a"));
        Assert.Equal("b", set.Map("b"));
        Assert.Equal("a", set.Map("a")); // repeat doesn't use a slot
        Assert.Equal("c", set.Map("c"));
        Assert.Equal("other", set.Map("d"));
        Assert.Equal("other", set.Map("e"));
        Assert.Equal("b", set.Map("b")); // admitted values stay admitted
        Assert.Equal(3, set.Count);
        Assert.Equal(2, set.Folded);
    }

    [Fact]
    public void ReservedValues_DoNotUseSlots()
    {
        var set = new CappedLabelSet(1, reserved: ["unknown"]);
        Assert.Equal("unknown", set.Map("unknown"));
        Assert.Equal("other", set.Map("other"));
        Assert.Equal("x", set.Map("x"));
        Assert.Equal("unknown", set.Map("unknown"));
        Assert.Equal("other", set.Map("y"));
    }

    [Fact]
    public void EmptyAndOverlongValues_FoldWithoutUsingASlot()
    {
        var set = new CappedLabelSet(2, maxValueLength: 5);
        Assert.Equal("other", set.Map(null));
        Assert.Equal("other", set.Map(""));
        Assert.Equal("other", set.Map("toolong"));
        Assert.Equal(0, set.Count);
        Assert.Equal("short", set.Map("short"));
    }

    [Fact]
    public void ConcurrentAdmission_KeepsExactlyCapacity()
    {
        var set = new CappedLabelSet(50);
        Parallel.For(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => set.Map("v" + (i % 200)));
        Assert.Equal(50, set.Count);
        int kept = Enumerable.Range(0, 200).Count(i => set.Map("v" + i) != "other");
        Assert.Equal(50, kept);
    }
}
