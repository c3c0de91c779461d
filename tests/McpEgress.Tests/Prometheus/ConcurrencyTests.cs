using McpEgress.Export.Prometheus;
using McpEgress.Mail;

namespace McpEgress.Tests.Prometheus;

public class ConcurrencyTests
{
    [Fact]
    public void ManyThreadsCounting_WhileScraping_TotalIsExact()
    {
        const int Threads = 8, PerThread = 20_000;
        var metrics = new EgressMetrics();
        var message = new MailMessage { Transport = MailTransport.Http, Provider = "postmark", To = [new MailAddress("a@b.test")] };
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                metrics.OnMessage(message, [], "pkg" + (i % 3));
                metrics.OnEventWritten("message");
            }
        })).ToList();
        // Scrape concurrently: must never throw or see a torn value.
        var scraper = new Thread(() => { for (int i = 0; i < 20; i++) metrics.ToText(); });
        threads.ForEach(t => t.Start());
        scraper.Start();
        threads.ForEach(t => t.Join());
        scraper.Join();

        var s = Exposition.Samples(metrics);
        Assert.Equal($"{Threads * PerThread}", s["mcp_egress_messages_total{transport=\"http\",provider=\"postmark\"}"]);
        Assert.Equal($"{Threads * PerThread}", s["mcp_egress_recipients_total{role=\"to\"}"]);
        Assert.Equal($"{Threads * PerThread}", s["mcp_egress_events_written_total{kind=\"message\"}"]);
        Assert.Equal($"{Threads * ((PerThread + 2) / 3)}", s["mcp_egress_process_messages_total{package=\"pkg0\"}"]);
    }
}
