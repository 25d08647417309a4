namespace NativeGan.Profiling.Kernels;

/// <summary>
/// One SASS instruction: byte offset in its function, guard predicate ("@!P0", or null), opcode with modifiers ("LDG.E.128"),
/// operand text, and for a BRA the offset it jumps to (labels of nvdisasm resolved).
/// </summary>
public sealed record SassInstruction(int Offset, string? Predicate, string Opcode, string Operands, int? BranchTarget)
{
    /// <summary>The opcode without modifiers: "LDG" for "LDG.E.128".</summary>
    public string BaseOpcode => Opcode.IndexOf('.') is var dot and >= 0 ? Opcode[..dot] : Opcode;

    /// <summary>The opcode's modifiers: ["E", "128"] for "LDG.E.128".</summary>
    public IReadOnlyList<string> Modifiers => Opcode.Split('.').Skip(1).ToArray();

    public bool IsNop => BaseOpcode == "NOP";

    public override string ToString() =>
        $"/*{Offset:x4}*/ {(Predicate is null ? "" : Predicate + " ")}{Opcode}{(Operands.Length == 0 ? "" : " " + Operands)}";
}

/// <summary>One function of a SASS listing, instructions in address order.</summary>
public sealed record SassFunction(string Name, IReadOnlyList<SassInstruction> Instructions);
