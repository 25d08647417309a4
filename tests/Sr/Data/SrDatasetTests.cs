using NativeGan.Models.Sr.Data;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Sr.Data;

public sealed class SrDatasetTests
{
    [Fact]
    public void HrFolder_LrIsBasicSrImresizeOfTheModCroppedImage()
    {
        var source = new HrFolderSource(SrFixtures.Images, 4);
        var f = SrFixtures.Load("images_lr_x4.safetensors");
        Assert.Equal(3, source.Count);
        Assert.Equal(SrFixtures.ImageNames, Enumerable.Range(0, source.Count).Select(i => Path.GetFileName(source.Name(i))));
        foreach (var (i, expectH, expectW) in new[] { (0, 96, 96), (1, 80, 96), (2, 72, 88) })
        {
            var pair = source.Read(i);
            Assert.Equal((expectH, expectW), (pair.GtHeight, pair.GtWidth));   // coffee 75 x 90 mod-cropped
            Assert.Equal((expectH / 4, expectW / 4), (pair.LqHeight, pair.LqWidth));
            string stem = Path.GetFileNameWithoutExtension(source.Name(i));
            Assert.Equal(new[] { 3, expectH / 4, expectW / 4 }, f.Shape("lr_x4." + stem));
            SrFixtures.Close(f.Data("lr_x4." + stem), pair.Lq, 1e-4, 1e-5, stem);
            Assert.All(pair.Gt, v => Assert.InRange(v, 0f, 1f));
        }
    }

    [Fact]
    public void HrFolder_RandomPatch_IsTheCropOfTheWholePair()
    {
        var source = new HrFolderSource(SrFixtures.Images, 4);
        for (int i = 0; i < source.Count; i++)
        {
            var whole = source.Read(i);
            var random = new SrRandom(100 + (ulong)i);
            var copy = random;
            var patch = source.ReadRandomPatch(i, 32, ref random);
            int top = copy.NextInt(0, whole.LqHeight - 8), left = copy.NextInt(0, whole.LqWidth - 8);
            Assert.Equal(SrTransforms.Crop(whole.Lq, 3, whole.LqHeight, whole.LqWidth, top, left, 8, 8), patch.Lq);
            Assert.Equal(SrTransforms.Crop(whole.Gt, 3, whole.GtHeight, whole.GtWidth, top * 4, left * 4, 32, 32), patch.Gt);
            Assert.Equal(random.NextUInt64(), copy.NextUInt64());   // drew exactly top and left
        }
    }

    [Fact]
    public void PairedFolders_MatchByTemplate_AndCropAligned()
    {
        using var dir = new TempDir();
        var (gt, lq) = SrFixtures.MakePairedFolders(dir.Path, 2, "{}x2");
        var source = new PairedFolderSource(lq, gt, 2, "{}x2");
        Assert.Equal(3, source.Count);
        Assert.EndsWith("astronautx2.png", source.LqFile(0));
        var pair = source.Read(1);
        Assert.Equal((40, 48, 80, 96), (pair.LqHeight, pair.LqWidth, pair.GtHeight, pair.GtWidth));

        var random = new SrRandom(7);
        var copy = random;
        var patch = source.ReadRandomPatch(1, 16, ref random);
        int top = copy.NextInt(0, 40 - 8), left = copy.NextInt(0, 48 - 8);
        Assert.Equal(SrTransforms.Crop(pair.Lq, 3, 40, 48, top, left, 8, 8), patch.Lq);
        Assert.Equal(SrTransforms.Crop(pair.Gt, 3, 80, 96, 2 * top, 2 * left, 16, 16), patch.Gt);
    }

    [Fact]
    public void PairedRandomCrop_OfHrPair_EqualsResizeOfTheGtCrop_Interior()
    {
        // the LQ patch of a paired crop is (away from its border) the imresize of its GT patch
        var source = new HrFolderSource(SrFixtures.Images, 2);
        var random = new SrRandom(3);
        var patch = source.ReadRandomPatch(0, 48, ref random);
        var (lr, h, w) = MatlabResize.Imresize(patch.Gt, 3, 48, 48, 0.5);
        Assert.Equal((24, 24), (h, w));
        for (int c = 0; c < 3; c++)
            for (int y = 3; y < 21; y++)
                for (int x = 3; x < 21; x++)
                    Assert.True(Math.Abs(lr[(c * 24 + y) * 24 + x] - patch.Lq[(c * 24 + y) * 24 + x]) <= 1e-6f);
    }

    [Fact]
    public void PairedFolders_MissingPartner_NamesTheFileAndFolders()
    {
        using var dir = new TempDir();
        var (gt, lq) = SrFixtures.MakePairedFolders(dir.Path, 2);
        File.Delete(Path.Combine(lq, "chelsea.png"));
        var e = Assert.Throws<InvalidDataException>(() => new PairedFolderSource(lq, gt, 2));
        Assert.Contains(Path.Combine(gt, "chelsea.png"), e.Message);
        Assert.Contains("chelsea.png", e.Message);
        Assert.Contains(lq, e.Message);

        File.Copy(Path.Combine(gt, "chelsea.png"), Path.Combine(lq, "chelsea.png"));
        File.Copy(Path.Combine(gt, "coffee.png"), Path.Combine(lq, "extra.png"));
        e = Assert.Throws<InvalidDataException>(() => new PairedFolderSource(lq, gt, 2));
        Assert.Contains(Path.Combine(lq, "extra.png"), e.Message);
    }

    [Fact]
    public void PairedFolders_WrongScaleOrTooSmall_NamesTheFile()
    {
        using var dir = new TempDir();
        var (gt, lq) = SrFixtures.MakePairedFolders(dir.Path, 2);
        var wrongScale = new PairedFolderSource(lq, gt, 3);
        var random = new SrRandom(1);
        var e = Assert.Throws<InvalidDataException>(() => wrongScale.ReadRandomPatch(0, 12, ref random));
        Assert.Contains("astronaut.png", e.Message);
        Assert.Contains("scale mismatch", e.Message);
        Assert.Throws<InvalidDataException>(() => wrongScale.Read(0));

        var source = new PairedFolderSource(lq, gt, 2);
        e = Assert.Throws<InvalidDataException>(() => source.ReadRandomPatch(2, 96, ref random));   // coffee: LQ 37 x 45 < 48
        Assert.Contains("coffee.png", e.Message);
        Assert.Contains("smaller than the LQ patch", e.Message);
    }

    [Fact]
    public void BadImageFile_IsNamed()
    {
        using var dir = new TempDir();
        File.Copy(Path.Combine(SrFixtures.Images, "astronaut.png"), dir.File("a.png"));
        File.WriteAllText(dir.File("b.png"), "not a png");
        var source = new HrFolderSource(dir.Path, 4);
        var e = Assert.Throws<InvalidDataException>(() => source.Read(1));
        Assert.Contains(Path.Combine(dir.Path, "b.png"), e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => new HrFolderSource(Path.Combine(dir.Path, "missing"), 4));
    }

    [Fact]
    public void Augment_RoundTrips_AndMatchesBasicSrOrder()
    {
        int c = 2, h = 3, w = 5;
        var img = Enumerable.Range(0, c * h * w).Select(i => (float)i).ToArray();
        foreach (var aug in new[] { new SrAugmentation(true, false, false), new SrAugmentation(false, true, false), new SrAugmentation(true, true, false) })
        {
            var (once, h1, w1) = SrTransforms.Augment(img, c, h, w, aug);
            Assert.Equal((h, w), (h1, w1));
            Assert.Equal(img, SrTransforms.Augment(once, c, h1, w1, aug).Data);   // flips are involutions
        }
        // transpose: (y, x) -> (x, y)
        var (t, th, tw) = SrTransforms.Augment(img, c, h, w, new SrAugmentation(false, false, true));
        Assert.Equal((5, 3), (th, tw));
        Assert.Equal(img[1 * 15 + 2 * 5 + 4], t[1 * 15 + 4 * 3 + 2]);
        Assert.Equal(img, SrTransforms.Augment(t, c, th, tw, new SrAugmentation(false, false, true)).Data);
        // hflip then vflip then transpose = rot90 one way; undo with transpose, vflip, hflip
        var all = new SrAugmentation(true, true, true);
        var (r, rh, rw) = SrTransforms.Augment(img, c, h, w, all);
        var (u1, a1, b1) = SrTransforms.Augment(r, c, rh, rw, new SrAugmentation(false, false, true));
        var (u2, _, _) = SrTransforms.Augment(u1, c, a1, b1, new SrAugmentation(true, true, false));
        Assert.Equal(img, u2);
        Assert.Equal(img[0 * 15 + 0 * 5 + 0], r[0 * 15 + 4 * 3 + 2]);   // source (0, 0) -> flipped to (2, 4) -> transposed (4, 2)
    }

    [Fact]
    public void Augment_DrawsOnlyEnabledFlags()
    {
        var a = new SrRandom(9);
        var b = a;
        SrAugmentation.Draw(ref a, false, false);
        Assert.Equal(b.NextUInt64(), a.NextUInt64());
        a = new SrRandom(9);
        b = a;
        SrAugmentation.Draw(ref a, true, true);
        b.NextDouble(); b.NextDouble(); b.NextDouble();
        Assert.Equal(b.NextUInt64(), a.NextUInt64());
    }

    [Fact]
    public void ValidationSet_GivesWholePairsAsTensors()
    {
        var set = new SrValidationSet(new HrFolderSource(SrFixtures.Images, 4));
        Assert.Equal(3, set.Count);
        var (lq, gt) = set.GetTensors(2, Device.Cpu);
        using (lq)
        using (gt)
        {
            Assert.Equal(new[] { 1, 3, 18, 22 }, lq.Shape);
            Assert.Equal(new[] { 1, 3, 72, 88 }, gt.Shape);
            Assert.Equal(set.Get(2).Lq, lq.ToArray());
        }
        Assert.Same(set.Get(0), set.Get(0));   // cached
        Assert.EndsWith("coffee.png", set.Name(2));
    }
}
