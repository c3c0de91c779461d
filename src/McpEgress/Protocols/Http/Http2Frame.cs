namespace McpEgress.Protocols.Http;

/// <summary>HTTP/2 frame types, flags and settings we use (RFC 7540 §6, §11.2, §6.5.2).</summary>
internal static class Http2Frame
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte Priority = 0x2;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte PushPromise = 0x5;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte WindowUpdate = 0x8;
    public const byte Continuation = 0x9;

    public const byte FlagEndStream = 0x1;
    public const byte FlagAck = 0x1;
    public const byte FlagEndHeaders = 0x4;
    public const byte FlagPadded = 0x8;
    public const byte FlagPriority = 0x20;

    public const ushort SettingHeaderTableSize = 0x1;
    public const ushort SettingMaxFrameSize = 0x5;

    /// <summary>SETTINGS_MAX_FRAME_SIZE initial value and ceiling (§6.5.2).</summary>
    public const int DefaultMaxFrameSize = 16384;
    public const int MaxAllowedFrameSize = (1 << 24) - 1;
}
