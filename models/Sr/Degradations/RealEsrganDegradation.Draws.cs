namespace NativeGan.Models.Sr.Degradations;

public sealed partial class RealEsrganDegradation
{
    /// <summary>The batch-wide draws of one <see cref="Degrade"/> call, in Real-ESRGAN's order (both pipelines).</summary>
    private sealed record BatchDraws(double Scale1, string Mode1, bool Gauss1, bool Blur2, double Scale2, string Mode2,
        bool Gauss2, bool ResizeFirst, string Mode3, ulong[] Seeds)
    {
        public static BatchDraws Draw(DegradationRandom rng, DegradationOptions o, int b)
        {
            int up1 = rng.Choice(o.resize_prob);
            double scale1 = up1 == 0 ? rng.Uniform(1, o.resize_range[1]) : up1 == 1 ? rng.Uniform(o.resize_range[0], 1) : 1;
            string mode1 = Modes[rng.RandInt(0, 2)];
            bool gauss1 = rng.Uniform() < o.gaussian_noise_prob;
            bool blur2 = rng.Uniform() < o.second_blur_prob;
            int up2 = rng.Choice(o.resize_prob2);
            double scale2 = up2 == 0 ? rng.Uniform(1, o.resize_range2[1]) : up2 == 1 ? rng.Uniform(o.resize_range2[0], 1) : 1;
            string mode2 = Modes[rng.RandInt(0, 2)];
            bool gauss2 = rng.Uniform() < o.gaussian_noise_prob2;
            bool resizeFirst = rng.Uniform() < 0.5;
            string mode3 = Modes[rng.RandInt(0, 2)];
            var seeds = new ulong[b];
            for (int i = 0; i < b; i++) seeds[i] = rng.NextULong();
            return new BatchDraws(scale1, mode1, gauss1, blur2, scale2, mode2, gauss2, resizeFirst, mode3, seeds);
        }

        /// <summary>The sizes after the first resize, the second resize and the final resize to the LR (gt / scale).</summary>
        public (int H1, int W1, int H2, int W2, int Hl, int Wl) Sizes(int h, int w, int scale)
        {
            int h1 = (int)Math.Floor(h * Scale1), w1 = (int)Math.Floor(w * Scale1);
            int h2 = (int)(h / (double)scale * Scale2), w2 = (int)(w / (double)scale * Scale2);
            if (h1 < 1 || w1 < 1 || h2 < 1 || w2 < 1)
                throw new ArgumentException($"degrade: a {h} x {w} ground truth resized by {Scale1:0.###} and {Scale2:0.###} has no pixels left.");
            return (h1, w1, h2, w2, h / scale, w / scale);
        }
    }
}
