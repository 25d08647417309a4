namespace NativeGan.Models.Data;

/// <summary>Fashion-MNIST's ten class names, in label order, and the short forms a user may type for them.</summary>
public static class FashionMnistClasses
{
    public static readonly IReadOnlyList<string> Names =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Spellings after <see cref="Key"/> (lower case, letters and digits only), each with its label.</summary>
    private static readonly Dictionary<string, int> Spellings = new()
    {
        ["tshirttop"] = 0, ["tshirt"] = 0, ["tshirts"] = 0, ["top"] = 0, ["tee"] = 0,
        ["trouser"] = 1, ["trousers"] = 1, ["pants"] = 1,
        ["pullover"] = 2, ["pullovers"] = 2, ["sweater"] = 2,
        ["dress"] = 3, ["dresses"] = 3,
        ["coat"] = 4, ["coats"] = 4,
        ["sandal"] = 5, ["sandals"] = 5,
        ["shirt"] = 6, ["shirts"] = 6,
        ["sneaker"] = 7, ["sneakers"] = 7,
        ["bag"] = 8, ["bags"] = 8,
        ["ankleboot"] = 9, ["ankleboots"] = 9, ["boot"] = 9, ["boots"] = 9,
    };

    /// <summary>
    /// The label of a class name, case-insensitive, ignoring spaces, hyphens, slashes and underscores
    /// ("T-shirt/top", "tshirt", "top", "ankle_boot", "boot", "Sneakers"); false for anything else.
    /// </summary>
    public static bool TryParse(string name, out int label) => Spellings.TryGetValue(Key(name), out label);

    /// <summary>Every spelling <see cref="TryParse"/> knows, for suggestions.</summary>
    public static IEnumerable<string> KnownSpellings => Spellings.Keys;

    public static string Key(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
