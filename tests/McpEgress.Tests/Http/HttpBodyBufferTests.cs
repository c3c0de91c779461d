using McpEgress.Protocols.Http;

namespace McpEgress.Tests.Http;

public sealed class HttpBodyBufferTests
{
    private static void Feed(HttpBodyBuffer b, int total, int chunk = 1448)
    {
        var data = new byte[chunk];
        for (int sent = 0; sent < total; sent += chunk) b.Append(data.AsSpan(0, Math.Min(chunk, total - sent)));
    }

    [Fact]
    public void HonestLargeContentLengthEndsWithExactlyThatCapacity()
    {
        const int length = 4 * 1024 * 1024 + 123;
        var b = new HttpBodyBuffer(8 << 20, length);
        Feed(b, length);
        Assert.Equal(length, b.Length);
        Assert.Equal(length, b.Capacity);   // not the next power of two
        Assert.False(b.Truncated);
    }

    [Fact]
    public void LyingContentLengthDoesNotReserveTheCap()
    {
        var b = new HttpBodyBuffer(8 << 20, 8 << 20);
        Feed(b, 10_000);
        Assert.True(b.Capacity <= 16 * 1024, $"capacity {b.Capacity}");
    }

    [Fact]
    public void SmallDeclaredLengthIsTakenAtOnce()
    {
        var b = new HttpBodyBuffer(8 << 20, 300);
        Feed(b, 300, 100);
        Assert.Equal(300, b.Capacity);
    }

    [Fact]
    public void MoreDataThanDeclaredStillFitsUpToTheCap()
    {
        var b = new HttpBodyBuffer(100_000, 1000);
        Feed(b, 150_000);
        Assert.Equal(100_000, b.Length);
        Assert.Equal(100_000, b.Capacity);
        Assert.True(b.Truncated);
        Assert.Equal(150_000, b.Total);
    }

    [Fact]
    public void UnknownLengthGrowsByDoublingWithinTheCap()
    {
        var b = new HttpBodyBuffer(1 << 20);
        Feed(b, 300_000);
        Assert.Equal(300_000, b.Length);
        Assert.Equal(512 * 1024, b.Capacity);
    }
}
