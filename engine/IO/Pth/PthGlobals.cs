namespace NativeGan.IO;

/// <summary>
/// The allow-list of Python globals a .pth pickle may name, and what "calling" each one means here. Nothing
/// is executed: every allowed global maps to a fixed C# function over the already-parsed arguments. Any
/// other global (os.system, builtins.eval, a model class, numpy ...) is refused when the pickle names it,
/// before it could be called.
/// </summary>
internal static class PthGlobals
{
    public static readonly PthDType F32 = new("F32", 4, "float32");
    public static readonly PthDType F64 = new("F64", 8, "float64");
    public static readonly PthDType F16 = new("F16", 2, "float16");
    public static readonly PthDType BF16 = new("BF16", 2, "bfloat16");
    public static readonly PthDType I64 = new("I64", 8, "int64");
    public static readonly PthDType I32 = new("I32", 4, "int32");
    public static readonly PthDType I16 = new("I16", 2, "int16");
    public static readonly PthDType I8 = new("I8", 1, "int8");
    public static readonly PthDType U8 = new("U8", 1, "uint8");
    public static readonly PthDType Bool = new("BOOL", 1, "bool");

    /// <summary>torch.&lt;Name&gt;Storage types (legacy typed storages, still written by torch.save) by name.</summary>
    private static readonly Dictionary<string, PthDType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = F32, ["DoubleStorage"] = F64, ["HalfStorage"] = F16, ["BFloat16Storage"] = BF16,
        ["LongStorage"] = I64, ["IntStorage"] = I32, ["ShortStorage"] = I16, ["CharStorage"] = I8,
        ["ByteStorage"] = U8, ["BoolStorage"] = Bool, ["UntypedStorage"] = U8,
    };

    /// <summary>torch dtype objects (torch.float32 and its aliases), which pickle as globals.</summary>
    private static readonly Dictionary<string, PthDType> DTypes = new(StringComparer.Ordinal)
    {
        ["float32"] = F32, ["float"] = F32, ["float64"] = F64, ["double"] = F64, ["float16"] = F16, ["half"] = F16,
        ["bfloat16"] = BF16, ["int64"] = I64, ["long"] = I64, ["int32"] = I32, ["int"] = I32, ["int16"] = I16,
        ["short"] = I16, ["int8"] = I8, ["uint8"] = U8, ["bool"] = Bool,
    };

    private const string RebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
    private const string RebuildTensor = "torch._utils._rebuild_tensor";
    private const string RebuildParameter = "torch._utils._rebuild_parameter";
    private const string RebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";
    private const string OrderedDict = "collections.OrderedDict";
    private const string TorchSize = "torch.Size";

    private static readonly HashSet<string> Callables = new(StringComparer.Ordinal)
    {
        RebuildTensorV2, RebuildTensor, RebuildParameter, RebuildParameterWithState, OrderedDict, TorchSize,
    };

    /// <summary>Resolves GLOBAL/STACK_GLOBAL, or throws a <see cref="PthFormatException"/> naming the refused global.</summary>
    public static PthGlobal Resolve(string module, string name, string source, long offset)
    {
        var global = new PthGlobal(module, name);
        if (Callables.Contains(global.FullName) || TryGetDType(global, out _)) return global;

        if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal))
            throw new PthFormatException(source, $"the pickle (offset {offset}) uses storage type '{global.FullName}', " +
                $"which this reader does not convert to float32 (supported: {string.Join(", ", StorageTypes.Keys.Select(k => "torch." + k))})");
        throw new PthFormatException(source, $"refused to load the Python global '{global.FullName}' (pickle offset {offset}): " +
            "a .pth file may only name tensor-rebuilding functions, storage and dtype objects and collections.OrderedDict; " +
            "loading this file in Python would run that code. If it is a full pickled model rather than a state dict, " +
            "save its state_dict() instead.");
    }

    /// <summary>The element type a storage-type or dtype global stands for.</summary>
    public static bool TryGetDType(PthGlobal global, out PthDType dtype)
    {
        dtype = null!;
        return global.Module == "torch"
            && (StorageTypes.TryGetValue(global.Name, out dtype!) || DTypes.TryGetValue(global.Name, out dtype!));
    }

    /// <summary>REDUCE / NEWOBJ of an allowed global.</summary>
    public static object? Call(PthGlobal callable, object?[] args, PthUnpickler context)
    {
        switch (callable.FullName)
        {
            case OrderedDict:
                var dict = new PthDict { IsOrdered = true };
                if (args.Length == 1 && args[0] is List<object?> pairs)
                {
                    foreach (var pair in pairs)
                    {
                        if (pair is not object?[] { Length: 2 } kv)
                            throw context.Fail($"collections.OrderedDict expects (key, value) pairs, got {PthUnpickler.Describe(pair)}");
                        dict.Set(context.Key(kv[0]), kv[1]);
                    }
                }
                else if (args.Length != 0)
                {
                    throw context.Fail($"collections.OrderedDict expects no arguments or a list of pairs, got {args.Length} arguments");
                }
                return dict;

            case TorchSize:
                if (args.Length == 1 && args[0] is object?[] dims) return dims;
                throw context.Fail($"torch.Size expects one tuple argument, got {args.Length} arguments");

            case RebuildTensorV2:
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.Length is < 4 or > 7)
                    throw context.Fail($"{RebuildTensorV2} expects 6 or 7 arguments, got {args.Length}");
                var tensor = context.RebuildTensor(args[0], args[1], args[2], args[3]);
                if (args.Length > 4 && args[4] is bool rg) tensor.RequiresGrad = rg;
                return tensor;

            case RebuildTensor:
                if (args.Length != 4) throw context.Fail($"{RebuildTensor} expects 4 arguments, got {args.Length}");
                return context.RebuildTensor(args[0], args[1], args[2], args[3]);

            case RebuildParameter:
            case RebuildParameterWithState:
                // (data, requires_grad, backward_hooks[, state]): a Parameter is its data tensor here.
                if (args.Length < 1 || args[0] is not PthTensor data)
                    throw context.Fail($"{callable.FullName} expects a tensor as its first argument, got " +
                        (args.Length == 0 ? "no arguments" : PthUnpickler.Describe(args[0])));
                if (args.Length > 1 && args[1] is bool requiresGrad) data.RequiresGrad = requiresGrad;
                return data;

            default:
                throw context.Fail($"'{callable.FullName}' is not callable (it stands for a type or dtype, not a function)");
        }
    }
}
