namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// Real-ESRGAN's random blur kernels (BasicSR basicsr/data/degradations.py and realesrgan_dataset.py): square
/// row-major double arrays of odd size, each normalised to sum 1. The grid is x, y in -(k-1)/2 .. (k-1)/2.
/// </summary>
public static class BlurKernels
{
    /// <summary>The kernel sizes Real-ESRGAN draws from: 7, 9, ..., 21.</summary>
    public static readonly int[] KernelRange = { 7, 9, 11, 13, 15, 17, 19, 21 };

    private static double[] Quadratic(int k, double sx, double sy, double theta, Func<double, double> f)
    {
        // Sigma = R diag(sx^2, sy^2) R^T; q = [x y] Sigma^-1 [x y]^T.
        double c = Math.Cos(theta), s = Math.Sin(theta);
        double a = c * c * sx * sx + s * s * sy * sy, b = c * s * (sx * sx - sy * sy), d = s * s * sx * sx + c * c * sy * sy;
        double det = a * d - b * b;
        double ia = d / det, ib = -b / det, id = a / det;
        var kernel = new double[k * k];
        int half = k / 2;
        double sum = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double x = j - half, y = i - half; // mesh_grid: xx varies along columns, yy along rows
                double q = ia * x * x + 2 * ib * x * y + id * y * y;
                sum += kernel[i * k + j] = f(q);
            }
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        return kernel;
    }

    public static double[] BivariateGaussian(int k, double sx, double sy, double theta) =>
        Quadratic(k, sx, sy, theta, q => Math.Exp(-0.5 * q));

    public static double[] BivariateGeneralizedGaussian(int k, double sx, double sy, double theta, double beta) =>
        Quadratic(k, sx, sy, theta, q => Math.Exp(-0.5 * Math.Pow(q, beta)));

    public static double[] BivariatePlateau(int k, double sx, double sy, double theta, double beta) =>
        Quadratic(k, sx, sy, theta, q => 1.0 / (Math.Pow(q, beta) + 1));

    /// <summary>
    /// BasicSR's circular_lowpass_kernel: cutoff * J1(cutoff r) / (2 pi r), centre cutoff^2 / (4 pi), normalised,
    /// then zero-padded to <paramref name="padTo"/> when larger.
    /// </summary>
    public static double[] CircularLowpass(double cutoff, int k, int padTo = 0)
    {
        if (k % 2 == 0) throw new ArgumentException($"circular low-pass kernel: size must be odd, got {k}.");
        var kernel = new double[k * k];
        double center = (k - 1) / 2.0, sum = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double r = Math.Sqrt((i - center) * (i - center) + (j - center) * (j - center));
                double v = r == 0 ? cutoff * cutoff / (4 * Math.PI) : cutoff * BesselJ1(cutoff * r) / (2 * Math.PI * r);
                sum += kernel[i * k + j] = v;
            }
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        return padTo > k ? Pad(kernel, k, padTo) : kernel;
    }

    /// <summary>Zero-pads a k x k kernel to size x size, centred.</summary>
    public static double[] Pad(double[] kernel, int k, int size)
    {
        if (size == k) return kernel;
        int p = (size - k) / 2;
        var o = new double[size * size];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) o[(i + p) * size + j + p] = kernel[i * k + j];
        return o;
    }

    /// <summary>A size x size kernel with 1 in the centre (Real-ESRGAN's pulse_tensor): filtering is the identity.</summary>
    public static double[] Pulse(int size)
    {
        var o = new double[size * size];
        o[size / 2 * size + size / 2] = 1;
        return o;
    }

    /// <summary>
    /// Bessel function of the first kind, order 1 (rational approximations of Numerical Recipes' bessj1;
    /// absolute error below 1e-8).
    /// </summary>
    public static double BesselJ1(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 8.0)
        {
            double y = x * x;
            double n = x * (72362614232.0 + y * (-7895059235.0 + y * (242396853.1 + y * (-2972611.439 + y * (15704.48260 + y * (-30.16036606))))));
            double d = 144725228442.0 + y * (2300535178.0 + y * (18583304.74 + y * (99447.43394 + y * (376.9991397 + y * 1.0))));
            return n / d;
        }
        else
        {
            double z = 8.0 / ax, y = z * z, xx = ax - 2.356194491;
            double p = 1.0 + y * (0.183105e-2 + y * (-0.3516396496e-4 + y * (0.2457520174e-5 + y * (-0.240337019e-6))));
            double q = 0.04687499995 + y * (-0.2002690873e-3 + y * (0.8449199096e-5 + y * (-0.88228987e-6 + y * 0.105787412e-6)));
            double ans = Math.Sqrt(0.636619772 / ax) * (Math.Cos(xx) * p - z * Math.Sin(xx) * q);
            return x < 0 ? -ans : ans;
        }
    }

    /// <summary>
    /// One first- or second-stage kernel as Real-ESRGAN's dataset draws it: a size from 7..21, a sinc with
    /// probability <paramref name="sincProb"/> (cutoff in [pi/3, pi] below size 13, [pi/5, pi] from 13), else one
    /// of <paramref name="kernelList"/> with <paramref name="kernelProb"/>; zero-padded to 21.
    /// </summary>
    public static double[] SampleKernel(DegradationRandom rng, string[] kernelList, double[] kernelProb, double sincProb,
        double[] sigma, double[] betag, double[] betap, int padTo = 21)
    {
        int k = KernelRange[rng.RandInt(0, KernelRange.Length - 1)];
        double[] kernel;
        if (rng.Uniform() < sincProb)
        {
            double omega = k < 13 ? rng.Uniform(Math.PI / 3, Math.PI) : rng.Uniform(Math.PI / 5, Math.PI);
            kernel = CircularLowpass(omega, k);
        }
        else
        {
            string type = kernelList[rng.Choice(kernelProb)];
            kernel = MixedKernel(rng, type, k, sigma, betag, betap);
        }
        return Pad(kernel, k, padTo);
    }

    /// <summary>BasicSR's random_mixed_kernels for one kernel type (rotation in [-pi, pi], no multiplicative noise).</summary>
    public static double[] MixedKernel(DegradationRandom rng, string type, int k, double[] sigma, double[] betag, double[] betap)
    {
        bool iso = type.EndsWith("iso", StringComparison.Ordinal) && !type.EndsWith("aniso", StringComparison.Ordinal);
        double sx = rng.Uniform(sigma[0], sigma[1]), sy = sx, theta = 0;
        if (!iso)
        {
            sy = rng.Uniform(sigma[0], sigma[1]);
            theta = rng.Uniform(-Math.PI, Math.PI);
        }
        double Beta(double[] r) => rng.Uniform() < 0.5 ? rng.Uniform(r[0], 1) : rng.Uniform(1, r[1]);
        return type switch
        {
            "iso" or "aniso" => BivariateGaussian(k, sx, sy, theta),
            "generalized_iso" or "generalized_aniso" => BivariateGeneralizedGaussian(k, sx, sy, theta, Beta(betag)),
            "plateau_iso" or "plateau_aniso" => BivariatePlateau(k, sx, sy, theta, Beta(betap)),
            _ => throw new ArgumentException($"blur kernel: unknown kernel type '{type}'; expected one of iso, aniso, generalized_iso, generalized_aniso, plateau_iso, plateau_aniso."),
        };
    }

    /// <summary>The final sinc kernel (probability final_sinc_prob, cutoff in [pi/3, pi], padded to 21) or the pulse.</summary>
    public static double[] SampleFinalKernel(DegradationRandom rng, double finalSincProb, int padTo = 21)
    {
        if (rng.Uniform() < finalSincProb)
        {
            int k = KernelRange[rng.RandInt(0, KernelRange.Length - 1)];
            return CircularLowpass(rng.Uniform(Math.PI / 3, Math.PI), k, padTo);
        }
        return Pulse(padTo);
    }
}
