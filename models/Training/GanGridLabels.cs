using System.Globalization;
using NativeGan.Models.Data;
using NativeGan.Models.Gans;

namespace NativeGan.Models.Training;

/// <summary>
/// The text around GAN sample grids: a conditional GAN's rows are named by their class, an InfoGAN's columns by
/// their category and its rows by the value of the swept continuous code.
/// </summary>
public static class GanGridLabels
{
    /// <summary>Fashion-MNIST's ten classes in label order (Zalando's names).</summary>
    public static readonly IReadOnlyList<string> FashionMnistClasses = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>
    /// Names for <paramref name="classes"/> labels: the built-in shapes' names, an image folder's class folders,
    /// Fashion-MNIST's classes for a <c>fashion_mnist</c> config, otherwise "class k". A list that is too short is
    /// completed with "class k".
    /// </summary>
    public static IReadOnlyList<string> ClassNames(GanConfig config, IDataset? dataset, int classes)
    {
        ArgumentNullException.ThrowIfNull(config);
        IReadOnlyList<string>? known = dataset switch
        {
            ProceduralShapesDataset => ProceduralShapesDataset.ShapeNames,
            ImageFolderDataset f when f.Classes.All(c => c.Length > 0) => f.Classes,
            null or MnistDataset when config.Dataset.Kind == "fashion_mnist" => FashionMnistClasses,
            _ => null,
        };
        var names = new string[classes];
        for (int k = 0; k < classes; k++) names[k] = known != null && k < known.Count ? known[k] : "class " + k.ToString(CultureInfo.InvariantCulture);
        return names;
    }

    /// <summary>Row labels of a CGAN grid whose image i has class <c>i / perRow % classes</c>, or <paramref name="fixedLabel"/> for all.</summary>
    public static GridLabels Cgan(IReadOnlyList<string> classNames, int count, int perRow, int? fixedLabel = null)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        int rows = Rows(count, perRow);
        var labels = new string[rows];
        for (int r = 0; r < rows; r++) labels[r] = classNames[fixedLabel ?? r % classNames.Count];
        return new GridLabels(Rows: labels);
    }

    /// <summary>
    /// InfoGAN grid labels: columns "cat k" (category <c>i % perRow % classes</c>, or <paramref name="fixedCategory"/>
    /// for all), rows "c1=v" for the first code swept from -1 to 1 by row (none when the codes are fixed).
    /// </summary>
    public static GridLabels InfoGan(int classes, int count, int perRow, int? fixedCategory = null, bool codesFixed = false)
    {
        int rows = Rows(count, perRow), cols = Math.Min(perRow, count);
        var columns = new string[cols];
        for (int c = 0; c < cols; c++) columns[c] = "cat " + (fixedCategory ?? c % classes).ToString(CultureInfo.InvariantCulture);
        string[]? rowLabels = null;
        if (!codesFixed)
        {
            rowLabels = new string[rows];
            for (int r = 0; r < rows; r++)
            {
                float v = rows == 1 ? 0f : -1f + 2f * r / (rows - 1);
                rowLabels[r] = "c1=" + v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
            }
        }
        return new GridLabels(rowLabels, columns);
    }

    /// <summary>The labels of a training grid of <paramref name="step"/>'s fixed inputs (<paramref name="perRow"/> images a row); null for an unconditional GAN.</summary>
    public static GridLabels? ForStep(GanStep step, GanConfig config, IDataset? dataset, int count, int perRow) => step switch
    {
        CganStep s => Cgan(ClassNames(config, dataset, s.Generator.Classes), count, perRow),
        InfoGanStep s => InfoGan(s.Generator.Classes, count, perRow),
        _ => null,
    };

    private static int Rows(int count, int perRow)
    {
        if (count < 1 || perRow < 1) throw new ArgumentException($"grid labels: expected at least one image and one per row, got {count} and {perRow}.");
        int cols = Math.Min(perRow, count);
        return (count + cols - 1) / cols;
    }
}
