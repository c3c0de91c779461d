using Tomlyn.Model;
using Tomlyn.Serialization;

namespace McpEgress.Inventory.Clients;

/// <summary>
/// Tomlyn's source-generated metadata for reading a TOML file as a plain <see cref="TomlTable"/> model: the
/// reflection-based <c>TomlSerializer.Deserialize&lt;T&gt;(string)</c> does not work in the Native AOT binary.
/// </summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class TomlModelContext : TomlSerializerContext
{
    /// <summary>The text as a <see cref="TomlTable"/> (empty for an empty file); throws <see cref="Tomlyn.TomlException"/>.</summary>
    public static TomlTable Parse(string text) => Tomlyn.TomlSerializer.Deserialize(text, Default.TomlTable) ?? new TomlTable();
}
