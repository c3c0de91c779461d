namespace McpEgress.Reassembly;

public enum FlowCloseReason
{
    /// <summary>Both directions sent FIN (or one FIN and the other side went quiet).</summary>
    Fin,
    Reset,
    IdleTimeout,
    /// <summary>Pushed out because the flow table was full.</summary>
    Evicted,
    /// <summary>The capture ended with the flow still open.</summary>
    EndOfCapture,
}
