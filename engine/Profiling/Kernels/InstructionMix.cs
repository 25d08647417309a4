namespace NativeGan.Profiling.Kernels;

/// <summary>
/// Counts over a run of SASS instructions, NOPs left out: per <see cref="InstructionClass"/>, per memory access kind
/// (opcode and width), and per base opcode. Shares are fractions (0 to 1) of <see cref="Instructions"/>.
/// </summary>
public sealed class InstructionMix
{
    private readonly Dictionary<InstructionClass, int> byClass;

    private InstructionMix(int instructions, Dictionary<InstructionClass, int> byClass,
        IReadOnlyDictionary<MemoryAccess, int> memory, IReadOnlyDictionary<string, int> opcodes)
    {
        Instructions = instructions;
        this.byClass = byClass;
        MemoryAccesses = memory;
        Opcodes = opcodes;
    }

    /// <summary>Instructions counted (NOP excluded).</summary>
    public int Instructions { get; }

    /// <summary>Memory instructions by kind, e.g. LDS.32 -> 16; ordered shared, global, generic, local, then by opcode and width.</summary>
    public IReadOnlyDictionary<MemoryAccess, int> MemoryAccesses { get; }

    /// <summary>Instructions by base opcode ("IMAD" covers IMAD.MOV, IMAD.WIDE...).</summary>
    public IReadOnlyDictionary<string, int> Opcodes { get; }

    public int Count(InstructionClass c) => byClass.GetValueOrDefault(c);

    public double Share(InstructionClass c) => Instructions == 0 ? 0 : (double)Count(c) / Instructions;

    public int Ffma => Count(InstructionClass.Ffma);

    public int TensorMma => Count(InstructionClass.TensorMma);

    /// <summary>Memory instructions of one space and direction, e.g. (Shared, Load) -> { LDS.32: 16 }.</summary>
    public IEnumerable<KeyValuePair<MemoryAccess, int>> Accesses(MemorySpace space, MemoryDirection direction) =>
        MemoryAccesses.Where(kv => kv.Key.Space == space && kv.Key.Direction == direction);

    public static InstructionMix Of(IEnumerable<SassInstruction> instructions)
    {
        var byClass = new Dictionary<InstructionClass, int>();
        var memory = new Dictionary<MemoryAccess, int>();
        var opcodes = new Dictionary<string, int>(StringComparer.Ordinal);
        int n = 0;
        foreach (var i in instructions)
        {
            if (i.IsNop) continue;
            n++;
            var c = SassOpcodes.Classify(i);
            byClass[c] = byClass.GetValueOrDefault(c) + 1;
            opcodes[i.BaseOpcode] = opcodes.GetValueOrDefault(i.BaseOpcode) + 1;
            if (SassOpcodes.Access(i) is { } a) memory[a] = memory.GetValueOrDefault(a) + 1;
        }
        var orderedMemory = memory.OrderBy(kv => kv.Key.Space).ThenBy(kv => kv.Key.Direction)
            .ThenBy(kv => kv.Key.Opcode, StringComparer.Ordinal).ThenBy(kv => kv.Key.WidthBits)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var orderedOpcodes = opcodes.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new InstructionMix(n, byClass, orderedMemory, orderedOpcodes);
    }
}
