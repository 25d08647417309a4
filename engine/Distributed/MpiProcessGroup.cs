using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using NativeGan.Backends.Cpu;
using NativeGan.Backends.Ilgpu;

namespace NativeGan.Distributed;

/// <summary>
/// The ranks of an MPI job (mpirun, srun): host memory and CPU tensors through MPI's collectives on MPI_COMM_WORLD,
/// CUDA tensors through an NCCL communicator made on first use. MPI is initialised once per process and finalised by
/// <see cref="Dispose"/>. Errors come back as <see cref="DistributedException"/> (MPI_ERRORS_RETURN) instead of
/// MPI's default abort, so a failed collective says which rank saw it and during what.
/// </summary>
public sealed unsafe class MpiProcessGroup : IProcessGroup
{
    private static readonly object InitGate = new();
    private static bool initialisedOnce, live;

    private readonly MpiLibrary mpi;
    private readonly object callGate = new();
    private readonly PosixSignalRegistration? termination;
    private NcclCommunicator? nccl;
    private volatile string? current;
    private bool disposed;

    /// <summary>Initialises MPI (MPI_Init_thread, serialized calls) and reads rank and size from it.</summary>
    /// <param name="onLauncherStop">Called with a sentence naming this rank and the collective under way when the
    /// launcher stops the process (SIGTERM: mpirun ends every rank once one has died); the process then exits. Null:
    /// the runtime's default.</param>
    public MpiProcessGroup(Action<string>? onLauncherStop = null)
    {
        mpi = MpiLibrary.Load();
        var launch = LaunchEnvironment.Detect();
        lock (InitGate)
        {
            int done = 0;
            Check(mpi.Finalized(&done), "MPI_Finalized");
            if (done != 0 || initialisedOnce && !IsInitialized())
                throw new DistributedException("MPI was already finalised in this process; MPI can be initialised only once per process.");
            if (live) throw new DistributedException("An MPI process group already exists in this process; share it (disposing one finalises MPI for all).");
            live = true;
            if (!IsInitialized())
            {
                int provided = 0;
                Check(mpi.InitThread(null, null, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");
                if (provided < MpiLibrary.ThreadSerialized)
                    throw new DistributedException($"MPI_Init_thread: the library offers thread level {provided}; NativeGan needs MPI_THREAD_SERIALIZED ({MpiLibrary.ThreadSerialized}).");
            }
            initialisedOnce = true;
        }
        Check(mpi.CommSetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        int rank = 0, size = 0;
        Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        Rank = rank;
        WorldSize = size;
        LocalRank = launch.IsMpiLaunch && launch.WorldSize == size ? launch.LocalRank : rank;
        if (onLauncherStop != null && !OperatingSystem.IsWindows())
        {
            termination = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ =>
            {
                string during = current is { } c ? $" during {c}" : "";
                onLauncherStop($"rank {Rank} of {WorldSize} was stopped by the MPI launcher{during}: another rank of the job ended or failed (the launcher's message names it).");
            });
        }
    }

    public int Rank { get; }
    public int LocalRank { get; }
    public int WorldSize { get; }
    public string Backend => "mpi";

    /// <summary>The MPI library's own description, e.g. "Open MPI v4.1.4, ...".</summary>
    public string LibraryVersion => mpi.LibraryVersion();

    private bool IsInitialized()
    {
        int flag = 0;
        Check(mpi.Initialized(&flag), "MPI_Initialized");
        return flag != 0;
    }

    public void AllReduce(Span<float> data, ReduceOp op = ReduceOp.Sum)
    {
        ThrowIfDisposed();
        fixed (float* p = data) AllReduceHost(p, data.Length, op, "MPI_Allreduce");
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tensor);
        RequireContiguous(tensor, "AllReduce");
        switch (tensor.Storage)
        {
            case CpuStorage cpu:
                fixed (float* p = &cpu.Data[tensor.Offset]) AllReduceHost(p, tensor.NumEl, op, "MPI_Allreduce");
                break;
            case IlgpuStorage when tensor.Device.Kind == DeviceKind.Cuda:
                Nccl(tensor.Device).AllReduce(tensor, op);
                break;
            default:
                StagedThroughHost(tensor, data => AllReduce(data, op));
                break;
        }
    }

    public IReduceWork AllReduceAsync(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tensor);
        RequireContiguous(tensor, "AllReduceAsync");
        if (tensor.Storage is not CpuStorage cpu)
        {
            // NCCL queues on the device stream, which is already asynchronous to the host; staging waits anyway.
            AllReduce(tensor, op);
            return CompletedWork.Instance;
        }
        var pin = GCHandle.Alloc(cpu.Data, GCHandleType.Pinned);
        float* p = (float*)pin.AddrOfPinnedObject() + tensor.Offset;
        nint request = 0;
        string what = $"MPI_Iallreduce of {tensor.NumEl} floats";
        int code;
        lock (callGate) code = mpi.Iallreduce(MpiLibrary.InPlace, (nint)p, tensor.NumEl, mpi.Float, mpi.Op(op), mpi.CommWorld, &request);
        if (code != MpiLibrary.Success)
        {
            pin.Free();
            Check(code, what);
        }
        return new MpiReduceWork(this, pin, p, tensor.NumEl, op, request, what);
    }

    public void Broadcast(Span<float> data, int root = 0)
    {
        ThrowIfDisposed();
        CheckRoot(root);
        fixed (float* p = data) BroadcastHost(p, data.Length, root);
    }

    public void Broadcast(Tensor tensor, int root = 0)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tensor);
        RequireContiguous(tensor, "Broadcast");
        CheckRoot(root);
        switch (tensor.Storage)
        {
            case CpuStorage cpu:
                fixed (float* p = &cpu.Data[tensor.Offset]) BroadcastHost(p, tensor.NumEl, root);
                break;
            case IlgpuStorage when tensor.Device.Kind == DeviceKind.Cuda:
                Nccl(tensor.Device).Broadcast(tensor, root);
                break;
            default:
                StagedThroughHost(tensor, data => Broadcast(data, root));
                break;
        }
    }

    public void Barrier()
    {
        ThrowIfDisposed();
        const string what = "MPI_Barrier";
        int code;
        Enter(what);
        try { code = mpi.Barrier(mpi.CommWorld); }
        finally { Exit(); }
        Check(code, what);
    }

    public long[] AllGather(long value)
    {
        ThrowIfDisposed();
        var all = new long[WorldSize];
        const string what = "MPI_Allgather";
        int code;
        fixed (long* r = all)
        {
            Enter(what);
            try { code = mpi.Allgather((nint)(&value), 1, mpi.Int64, (nint)r, 1, mpi.Int64, mpi.CommWorld); }
            finally { Exit(); }
        }
        Check(code, what);
        return all;
    }

    /// <summary>Sends rank 0's bytes to every rank (the NCCL unique id).</summary>
    internal void BroadcastBytes(Span<byte> data, int root)
    {
        string what = $"MPI_Bcast of {data.Length} bytes from rank {root}";
        int code;
        fixed (byte* p = data)
        {
            Enter(what);
            try { code = mpi.Bcast((nint)p, data.Length, mpi.Byte, root, mpi.CommWorld); }
            finally { Exit(); }
        }
        Check(code, what);
    }

    private void AllReduceHost(float* p, int count, ReduceOp op, string name)
    {
        string what = $"{name} of {count} floats";
        int code;
        Enter(what);
        try { code = mpi.Allreduce(MpiLibrary.InPlace, (nint)p, count, mpi.Float, mpi.Op(op), mpi.CommWorld); }
        finally { Exit(); }
        Check(code, what);
        if (op == ReduceOp.Average) TensorPrimitives.Multiply(new Span<float>(p, count), 1f / WorldSize, new Span<float>(p, count));
    }

    private NcclCommunicator Nccl(Device device)
    {
        if (nccl == null) nccl = new NcclCommunicator(this, device);
        else if (nccl.Device != device)
            throw new DistributedException($"rank {Rank}: the NCCL communicator was made for {nccl.Device} but a tensor on {device} arrived; one process drives one GPU.");
        return nccl;
    }

    private static void StagedThroughHost(Tensor tensor, Action<float[]> collective)
    {
        // ILGPU's CPU accelerator (kernel tests) lives in host memory but has no MPI-visible array: copy through one.
        var host = tensor.ToArray();
        collective(host);
        using (Tensor.NoGrad()) tensor.CopyFrom(host);
    }

    private void BroadcastHost(float* p, int count, int root)
    {
        string what = $"MPI_Bcast of {count} floats from rank {root}";
        int code;
        Enter(what);
        try { code = mpi.Bcast((nint)p, count, mpi.Float, root, mpi.CommWorld); }
        finally { Exit(); }
        Check(code, what);
    }

    // MPI_THREAD_SERIALIZED: one call at a time; what is under way is named if the launcher stops the process.
    private void Enter(string what)
    {
        Monitor.Enter(callGate);
        current = what;
    }

    private void Exit()
    {
        current = null;
        Monitor.Exit(callGate);
    }

    internal void Check(int code, string what)
    {
        if (code == MpiLibrary.Success) return;
        string rank = WorldSize > 0 ? $"rank {Rank} of {WorldSize}" : "MPI";
        throw new DistributedException($"{rank}: {what} failed: {mpi.Describe(code)} (MPI error {code}). Another rank has probably exited; the launcher's output names it.");
    }

    internal void Progress(ref nint request, out bool done, string what)
    {
        int flag = 0, code;
        fixed (nint* r = &request)
            lock (callGate) code = mpi.Test(r, &flag, 0);
        Check(code, what);
        done = flag != 0;
    }

    internal void WaitFor(ref nint request, string what)
    {
        int code;
        fixed (nint* r = &request)
        {
            Enter(what);
            try { code = mpi.Wait(r, 0); }
            finally { Exit(); }
        }
        Check(code, what);
    }

    private void CheckRoot(int root)
    {
        if (root < 0 || root >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"Broadcast: the root must be a rank in 0 .. {WorldSize - 1}.");
    }

    private static void RequireContiguous(Tensor tensor, string what)
    {
        if (!tensor.IsContiguous)
            throw new ArgumentException($"{what}: the tensor {ShapeUtil.Format(tensor.ShapeArray)} is a strided view; collectives work in place on contiguous tensors (call Contiguous() and copy back).");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    /// <summary>Destroys the NCCL communicator and finalises MPI (after which no process group can be made here).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        termination?.Dispose();
        nccl?.Dispose();
        lock (InitGate)
        {
            int done = 0;
            if (mpi.Finalized(&done) == MpiLibrary.Success && done == 0) mpi.Finalize();
            live = false;
        }
    }

    private sealed class MpiReduceWork : IReduceWork
    {
        private readonly MpiProcessGroup group;
        private readonly float* data;
        private readonly int count;
        private readonly ReduceOp op;
        private readonly string what;
        private GCHandle pin;
        private nint request;
        private bool finished;

        public MpiReduceWork(MpiProcessGroup group, GCHandle pin, float* data, int count, ReduceOp op, nint request, string what)
        {
            this.group = group;
            this.pin = pin;
            this.data = data;
            this.count = count;
            this.op = op;
            this.request = request;
            this.what = what;
        }

        public bool IsCompleted
        {
            get
            {
                if (finished) return true;
                group.Progress(ref request, out bool done, what);
                if (done) Finish();
                return finished;
            }
        }

        public void Wait()
        {
            if (finished) return;
            try { group.WaitFor(ref request, what); }
            catch
            {
                pin.Free();
                finished = true;
                throw;
            }
            Finish();
        }

        private void Finish()
        {
            if (op == ReduceOp.Average)
                TensorPrimitives.Multiply(new Span<float>(data, count), 1f / group.WorldSize, new Span<float>(data, count));
            pin.Free();
            finished = true;
        }
    }
}

/// <summary>A collective that finished before it was handed out.</summary>
internal sealed class CompletedWork : IReduceWork
{
    public static readonly CompletedWork Instance = new();
    public bool IsCompleted => true;
    public void Wait() { }
}
