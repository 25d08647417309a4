namespace NativeGan.Graph;

/// <summary>Whether ops record the graph on this thread. Off inside NoGrad scopes and during a plain Backward.</summary>
public static class GradMode
{
    [ThreadStatic] private static int disabledDepth;
    [ThreadStatic] private static int forcedDepth;

    public static bool IsEnabled => forcedDepth > 0 || disabledDepth == 0;

    public static IDisposable Disable() => new Toggle(enable: false);
    internal static IDisposable Enable() => new Toggle(enable: true);

    private sealed class Toggle : IDisposable
    {
        private readonly bool enable;
        private readonly int savedForced, savedDisabled;
        private bool done;

        public Toggle(bool enable)
        {
            this.enable = enable;
            savedForced = forcedDepth;
            savedDisabled = disabledDepth;
            if (enable) { forcedDepth++; }
            else { disabledDepth++; forcedDepth = 0; }
        }

        public void Dispose()
        {
            if (done) return;
            done = true;
            forcedDepth = savedForced;
            disabledDepth = savedDisabled;
        }
    }
}
