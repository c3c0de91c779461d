using McpEgress.Detection;
using McpEgress.Mail;

namespace McpEgress.Pipeline;

/// <summary>
/// Rules that need the sender, for messages whose sender is still being looked up (issue 14: "rules need the sender
/// when they need it"). A message whose flow's attribution is pending is judged at once by the rules that don't need
/// the sender (its event is written as always, with those alerts), and held — bounded in number and time — for the
/// rules that do (<see cref="IRule.NeedsSender"/>). When the sender arrives (<see cref="OnSenderResolved"/>), is known
/// to be unknowable, or the wait ends (<see cref="Expire"/>), those rules run and their alerts go out through
/// <see cref="Emit"/>, marked <see cref="Alert.Deferred"/>: they follow the message event and name the message. A
/// message whose sender never comes is still judged by every rule, the sender-dependent ones without a sender.
/// Messages with a sender already, or with nothing pending (replay), are judged by every rule at once, as without
/// this class. Pipeline thread only.
/// </summary>
public sealed class DeferredSenderRules(ISenderSource senders, DeferredSenderOptions? options = null, Func<long>? nowMs = null)
{
    private sealed class Held(MailMessage message, DetectionEngine engine, long deadlineMs)
    {
        public readonly MailMessage Message = message;
        public readonly DetectionEngine Engine = engine; // the rules the message's first half ran with (a reload may swap them)
        public readonly long DeadlineMs = deadlineMs;
        public bool Done;
    }

    private readonly DeferredSenderOptions _options = options ?? new DeferredSenderOptions();
    private readonly Func<long> _nowMs = nowMs ?? (() => Environment.TickCount64);
    private readonly Dictionary<long, List<Held>> _byFlow = new();
    private readonly Queue<Held> _byDeadline = new(); // one wait for all: arrival order is deadline order

    /// <summary>Where alerts of rules that waited go (the pipeline's output), after their message's event.</summary>
    public Action<IReadOnlyList<Alert>>? Emit { get; set; }

    /// <summary>Messages held now.</summary>
    public int HeldNow { get; private set; }
    /// <summary>Messages that waited for their sender.</summary>
    public long Deferred { get; private set; }
    /// <summary>Held messages whose sender arrived.</summary>
    public long Resolved { get; private set; }
    /// <summary>Held messages whose lookup ended without a process (no local socket, a foreign flow).</summary>
    public long Unresolved { get; private set; }
    /// <summary>Held messages judged without a sender because the wait ended (or the run did).</summary>
    public long Timeouts { get; private set; }
    /// <summary>Messages judged at once without their pending sender because the table was full.</summary>
    public long Overflows { get; private set; }

    /// <summary>
    /// Alerts to write with the message's event now: every rule's when the sender is known or not awaited, else only
    /// the rules that don't need it (the rest follow later).
    /// </summary>
    public IReadOnlyList<Alert> Evaluate(MailMessage message, DetectionEngine engine)
    {
        if (message.Process is not null || !engine.HasSenderRules) return engine.Evaluate(message);
        switch (senders.Find(message.FlowId, out var process))
        {
            case SenderState.Known:
                message.Process = process;
                return engine.Evaluate(message);
            // Entries released early stay queued until they reach the head: they count against the bound too.
            case SenderState.Pending when HeldNow < _options.MaxHeld && _byDeadline.Count < 2 * _options.MaxHeld:
                var alerts = engine.Evaluate(message, RuleSelection.WithoutSender);
                var held = new Held(message, engine, _nowMs() + (long)_options.Wait.TotalMilliseconds);
                if (!_byFlow.TryGetValue(message.FlowId, out var list)) _byFlow[message.FlowId] = list = [];
                list.Add(held);
                _byDeadline.Enqueue(held);
                HeldNow++;
                Deferred++;
                return alerts;
            case SenderState.Pending:
                Overflows++;
                return engine.Evaluate(message);
            default:
                return engine.Evaluate(message);
        }
    }

    /// <summary>
    /// The lookup of flow <paramref name="flowId"/> ended (<paramref name="process"/> null: no process): its held
    /// messages are judged by the rules that waited, in the order they came.
    /// </summary>
    public void OnSenderResolved(long flowId, ProcessFacts? process)
    {
        if (!_byFlow.Remove(flowId, out var list)) return;
        foreach (var held in list)
        {
            if (process is null) Unresolved++;
            else Resolved++;
            Release(held, process);
        }
        TrimDone();
    }

    /// <summary>Judges without a sender the messages that waited longer than <see cref="DeferredSenderOptions.Wait"/>.</summary>
    public void Expire()
    {
        if (_byDeadline.Count == 0) return;
        long now = _nowMs();
        while (_byDeadline.TryPeek(out var held) && (held.Done || held.DeadlineMs <= now))
        {
            _byDeadline.Dequeue();
            if (held.Done) continue;
            Timeouts++;
            Forget(held);
            Release(held, null);
        }
    }

    /// <summary>End of the run: every held message is judged now with what is known.</summary>
    public void ReleaseAll()
    {
        while (_byDeadline.TryDequeue(out var held))
        {
            if (held.Done) continue;
            Timeouts++;
            Forget(held);
            Release(held, null);
        }
        _byFlow.Clear();
    }

    private void Forget(Held held)
    {
        if (_byFlow.TryGetValue(held.Message.FlowId, out var list))
        {
            list.Remove(held);
            if (list.Count == 0) _byFlow.Remove(held.Message.FlowId);
        }
    }

    private void TrimDone()
    {
        while (_byDeadline.TryPeek(out var h) && h.Done) _byDeadline.Dequeue();
    }

    private void Release(Held held, ProcessFacts? process)
    {
        held.Done = true;
        HeldNow--;
        var message = held.Message;
        message.Process ??= process;
        var alerts = held.Engine.Evaluate(message, RuleSelection.NeedingSender);
        if (alerts.Count == 0) return;
        foreach (var a in alerts) a.Deferred = true;
        Emit?.Invoke(alerts);
    }
}
