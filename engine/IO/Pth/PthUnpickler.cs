using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace NativeGan.IO;

/// <summary>
/// A pickle reader that builds plain values and never executes anything: globals resolve only through
/// <see cref="PthGlobals"/>, persistent ids only through the given loader. Every malformed input (unknown
/// opcode, stack underflow, a length running past the data, a pickle without STOP) becomes a
/// <see cref="PthFormatException"/>; every opcode consumes input, so it always terminates.
/// Values: null, bool, long, BigInteger, double, string, byte[], object?[] (tuple), List&lt;object?&gt;
/// (list or set), <see cref="PthDict"/>, <see cref="PthGlobal"/>, <see cref="PthTensor"/> and storage refs.
/// </summary>
internal sealed class PthUnpickler
{
    private const int MaxLineBytes = 4096;
    private const int MaxTensorRank = 64;

    private readonly Stream _stream;
    private readonly long _end;
    private readonly string _source;
    private readonly string _label;
    private readonly Func<object?, PthUnpickler, PthStorageRef> _persistentLoad;

    private readonly List<object?> _stack = new();
    private readonly List<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private readonly byte[] _scratch = new byte[8];
    private long _opOffset;

    /// <param name="stream">The pickle bytes, read from the current position.</param>
    /// <param name="end">Stream position the pickle must not read past.</param>
    /// <param name="label">How errors name the pickle, e.g. "archive/data.pkl".</param>
    public PthUnpickler(Stream stream, long end, string source, string label,
        Func<object?, PthUnpickler, PthStorageRef> persistentLoad)
    {
        _stream = stream;
        _end = end;
        _source = source;
        _label = label;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Every tensor rebuilt so far, in pickle order.</summary>
    public List<PthTensor> Tensors { get; } = new();

    /// <summary>Reads one pickle, up to and including its STOP opcode, and returns its value.</summary>
    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        _memo.Clear();
        while (true)
        {
            _opOffset = _stream.Position;
            if (_opOffset >= _end)
                throw Fail("the pickle ended without its STOP opcode (truncated file?)");
            byte op = ReadByte();
            switch (op)
            {
                // ---- framing and protocol
                case 0x80: ReadByte(); break; // PROTO n
                case 0x95: // FRAME: an 8-byte length, then the frame's opcodes inline
                    if (ReadUInt64() > (ulong)Remaining) throw Fail("a FRAME runs past the end of the data (truncated file?)");
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                        throw Fail($"STOP with {_stack.Count} values and {_marks.Count} open marks on the stack, expected exactly one value");
                    return _stack[0];

                // ---- stack manipulation
                case (byte)'(': _marks.Add(_stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP

                // ---- constants and numbers
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(ReadLength(4))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadSpan(8))); break; // BINFLOAT
                case (byte)'I': Push(ParseIntLine(ReadLine())); break; // INT (protocol 0; "01"/"00" are True/False)
                case (byte)'L': Push(ParseIntLine(ReadLine().TrimEnd('L'))); break; // LONG (protocol 0)

                // ---- strings and bytes
                case (byte)'X': Push(Utf8(ReadLength(4))); break; // BINUNICODE
                case 0x8c: Push(Utf8(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(ReadLength(8))); break; // BINUNICODE8
                case (byte)'T': Push(Latin1(ReadLength(4))); break; // BINSTRING (Python 2 str)
                case (byte)'U': Push(Latin1(ReadByte())); break; // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadLength(4))); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadLength(8))); break; // BINBYTES8
                case 0x96: Push(ReadBytes(ReadLength(8))); break; // BYTEARRAY8

                // ---- containers
                case (byte)'}': Push(new PthDict()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case 0x8f: Push(new List<object?>()); break; // EMPTY_SET (a list here)
                case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                case 0x85: Push(new[] { Pop() }); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'l': Push(PopMark()); break; // LIST
                case 0x91: Push(PopMark().ToArray()); break; // FROZENSET
                case (byte)'d': // DICT
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) throw Fail("DICT with an odd number of items");
                    var dict = new PthDict();
                    for (int i = 0; i < items.Count; i += 2) dict.Set(Key(items[i]), items[i + 1]);
                    Push(dict);
                    break;
                }
                case (byte)'a': { var v = Pop(); ListAt(_stack.Count - 1, "APPEND").Add(v); break; } // APPEND
                case (byte)'e': // APPENDS
                case 0x90: // ADDITEMS
                {
                    var items = PopMark();
                    ListAt(_stack.Count - 1, op == 0x90 ? "ADDITEMS" : "APPENDS").AddRange(items);
                    break;
                }
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    DictAt(_stack.Count - 1, "SETITEM").Set(Key(key), value);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) throw Fail("SETITEMS with an odd number of items");
                    var dict = DictAt(_stack.Count - 1, "SETITEMS");
                    for (int i = 0; i < items.Count; i += 2) dict.Set(Key(items[i]), items[i + 1]);
                    break;
                }

                // ---- memo
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'p': _memo[ParseIndexLine(ReadLine())] = Peek(); break; // PUT
                case (byte)'h': Push(MemoGet(ReadByte())); break; // BINGET
                case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4)))); break; // LONG_BINGET
                case (byte)'g': Push(MemoGet(ParseIndexLine(ReadLine()))); break; // GET

                // ---- globals and objects: resolved by the allow-list, "called" by fixed C# code
                case (byte)'c': // GLOBAL "module\nname\n"
                {
                    string module = ReadLine();
                    string name = ReadLine();
                    Push(PthGlobals.Resolve(module, name, _source, _opOffset));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw Fail($"STACK_GLOBAL expects two strings, got {Describe(module)} and {Describe(name)}");
                    Push(PthGlobals.Resolve(m, n, _source, _opOffset));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var args = Pop();
                    var callable = Pop();
                    Push(Call(callable, args, "REDUCE"));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var args = Pop();
                    var cls = Pop();
                    Push(Call(cls, args, "NEWOBJ"));
                    break;
                }
                case 0x92: // NEWOBJ_EX
                {
                    var kwargs = Pop();
                    var args = Pop();
                    var cls = Pop();
                    if (kwargs is not PthDict { Count: 0 })
                        throw Fail($"NEWOBJ_EX with keyword arguments is not supported (for {Describe(cls)})");
                    Push(Call(cls, args, "NEWOBJ_EX"));
                    break;
                }
                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    var target = Peek();
                    switch (target)
                    {
                        case PthDict dict: dict.State = state; break; // e.g. a state dict's _metadata
                        case PthTensor: break; // Python attributes set on a tensor: nothing to keep
                        default: throw Fail($"BUILD on {Describe(target)} is not supported");
                    }
                    break;
                }
                case (byte)'Q': // BINPERSID
                    Push(_persistentLoad(Pop(), this));
                    break;

                case (byte)'P': case (byte)'i': case (byte)'o': case (byte)'S': case (byte)'V': case (byte)'F':
                case 0x82: case 0x83: case 0x84: case 0x97: case 0x98:
                    throw Fail($"opcode 0x{op:x2} ('{OpcodeName(op)}') is valid pickle but never written by torch.save, so it is not supported");
                default:
                    throw Fail($"unknown pickle opcode 0x{op:x2} (corrupt file, or not a PyTorch pickle)");
            }
        }
    }

    // ------------------------------------------------------------------ tensors

    /// <summary>_rebuild_tensor(_v2)'s (storage, storage_offset, size, stride), validated; the data loads later.</summary>
    internal PthTensor RebuildTensor(object? storage, object? offset, object? size, object? stride)
    {
        if (storage is not PthStorageRef st)
            throw Fail($"a tensor's storage should be a persistent storage reference, got {Describe(storage)}");
        long storageOffset = AsLong(offset, "storage offset");
        if (size is not object?[] sizeTuple || stride is not object?[] strideTuple)
            throw Fail($"a tensor's size and stride should be tuples, got {Describe(size)} and {Describe(stride)}");
        if (sizeTuple.Length != strideTuple.Length)
            throw Fail($"a tensor has {sizeTuple.Length} sizes but {strideTuple.Length} strides");
        if (sizeTuple.Length > MaxTensorRank)
            throw Fail($"a tensor has {sizeTuple.Length} dimensions, more than {MaxTensorRank}");
        if (storageOffset < 0) throw Fail($"a tensor has a negative storage offset {storageOffset}");

        var shape = new int[sizeTuple.Length];
        var strides = new long[sizeTuple.Length];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long d = AsLong(sizeTuple[i], "size");
            long s = AsLong(strideTuple[i], "stride");
            if (d < 0 || d > int.MaxValue) throw Fail($"a tensor has size {d} in dimension {i}");
            if (s < 0) throw Fail($"a tensor has a negative stride {s} in dimension {i}");
            shape[i] = (int)d;
            strides[i] = s;
            count = d == 0 || count == 0 ? 0 : count > Array.MaxLength / d ? long.MaxValue : count * d;
        }
        if (count > Array.MaxLength)
            throw Fail($"a tensor of shape {ShapeUtil.Format(shape)} has more elements than one array can hold ({Array.MaxLength})");

        var tensor = new PthTensor(st, storageOffset, shape, strides, count);
        Tensors.Add(tensor);
        return tensor;
    }

    // ------------------------------------------------------------------ helpers

    public PthFormatException Fail(string detail, Exception? inner = null) =>
        new(_source, $"{_label} offset {_opOffset}: {detail}", inner);

    internal object Key(object? key) => key switch
    {
        null => throw Fail("None as a dictionary key is not supported"),
        List<object?> or PthDict => throw Fail($"{Describe(key)} as a dictionary key is not hashable"),
        _ => key,
    };

    internal long AsLong(object? value, string what) => value switch
    {
        long l => l,
        BigInteger b when b >= long.MinValue && b <= long.MaxValue => (long)b,
        _ => throw Fail($"expected an integer {what}, got {Describe(value)}"),
    };

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long or BigInteger or double => $"the number {value}",
        string s => $"the string '{(s.Length > 40 ? s[..40] + "..." : s)}'",
        byte[] bytes => $"{bytes.Length} bytes",
        object?[] t => $"a {t.Length}-tuple",
        List<object?> list => $"a list of {list.Count}",
        PthDict d => $"a dict of {d.Count}",
        PthGlobal g => $"the global {g.FullName}",
        PthTensor t => $"a tensor of shape {ShapeUtil.Format(t.Shape)}",
        PthStorageRef s => $"storage '{s.Key}'",
        _ => value.GetType().Name,
    };

    private object? Call(object? callable, object? args, string opcode)
    {
        if (callable is not PthGlobal global)
            throw Fail($"{opcode} expects a global to call, got {Describe(callable)}");
        if (args is not object?[] tuple)
            throw Fail($"{opcode} of {global.FullName} expects an argument tuple, got {Describe(args)}");
        return PthGlobals.Call(global, tuple, this);
    }

    private long Remaining => _end - _stream.Position;

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw Fail("the pickle pops more values than it pushed (stack underflow)");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw Fail("the pickle reads the top of an empty stack");
        return _stack[^1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Fail("the pickle closes a MARK it never opened");
        int start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private List<object?> ListAt(int index, string opcode)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (index < floor || _stack[index] is not List<object?> list)
            throw Fail($"{opcode} expects a list below its items, got {(index < floor ? "nothing" : Describe(_stack[index]))}");
        return list;
    }

    private PthDict DictAt(int index, string opcode)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (index < floor || _stack[index] is not PthDict dict)
            throw Fail($"{opcode} expects a dict below its items, got {(index < floor ? "nothing" : Describe(_stack[index]))}");
        return dict;
    }

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var v) ? v : throw Fail($"the pickle reads memo entry {index}, which was never stored");

    private byte ReadByte()
    {
        if (Remaining < 1) throw Fail("the pickle ended in the middle of an opcode (truncated file?)");
        int b = _stream.ReadByte();
        if (b < 0) throw Fail("the pickle ended in the middle of an opcode (truncated file?)");
        return (byte)b;
    }

    private byte[] ReadBytes(long count)
    {
        if (count > Remaining)
            throw Fail($"a {count}-byte value runs past the end of the data ({Remaining} bytes left; truncated file?)");
        var bytes = new byte[count];
        _stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A fixed-size field (at most 8 bytes), read into a reused buffer.</summary>
    private ReadOnlySpan<byte> ReadSpan(int count)
    {
        if (count > Remaining)
            throw Fail($"a {count}-byte field runs past the end of the data (truncated file?)");
        var span = _scratch.AsSpan(0, count);
        _stream.ReadExactly(span);
        return span;
    }

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8));

    /// <summary>A 4- or 8-byte length field, checked against what is left before anything is allocated.</summary>
    private long ReadLength(int bytes)
    {
        ulong length = bytes == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4)) : ReadUInt64();
        if (length > (ulong)Remaining)
            throw Fail($"a length field says {length} bytes, but only {Remaining} remain (truncated or corrupt file)");
        return (long)length;
    }

    private object ReadLong(long bytes)
    {
        if (bytes == 0) return 0L;
        var raw = ReadBytes(bytes);
        var value = new BigInteger(raw, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private string Utf8(long bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadBytes(bytes));
        }
        catch (DecoderFallbackException e)
        {
            throw Fail("a string is not valid UTF-8 (corrupt file?)", e);
        }
    }

    private string Latin1(long bytes) => Encoding.Latin1.GetString(ReadBytes(bytes));

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\n') break;
            if (bytes.Count >= MaxLineBytes) throw Fail($"a text field is longer than {MaxLineBytes} bytes (corrupt file?)");
            bytes.Add(b);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private object ParseIntLine(string line)
    {
        if (line == "01") return true;
        if (line == "00") return false;
        if (BigInteger.TryParse(line, System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out var v))
            return v >= long.MinValue && v <= long.MaxValue ? (long)v : v;
        throw Fail($"expected an integer, got '{line}'");
    }

    private long ParseIndexLine(string line) =>
        long.TryParse(line, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v)
            ? v : throw Fail($"expected a memo index, got '{line}'");

    private static string OpcodeName(byte op) => op switch
    {
        (byte)'P' => "PERSID", (byte)'i' => "INST", (byte)'o' => "OBJ", (byte)'S' => "STRING", (byte)'V' => "UNICODE",
        (byte)'F' => "FLOAT", 0x82 => "EXT1", 0x83 => "EXT2", 0x84 => "EXT4", 0x97 => "NEXT_BUFFER", 0x98 => "READONLY_BUFFER",
        _ => "?",
    };
}
