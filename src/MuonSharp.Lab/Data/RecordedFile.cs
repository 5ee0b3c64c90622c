using System.Security.Cryptography;

namespace MuonSharp.Lab.Data;

/// <summary>A file as the cache manifest records it: name, size and SHA-256.</summary>
/// <param name="Name">File name (no directory).</param>
/// <param name="Bytes">Size in bytes.</param>
/// <param name="Sha256">SHA-256 of the content, lowercase hexadecimal.</param>
public sealed record RecordedFile(string Name, long Bytes, string Sha256)
{
    /// <summary>Records the file at <paramref name="path"/> as it is now.</summary>
    /// <param name="path">An existing file.</param>
    public static RecordedFile Of(string path)
    {
        using var stream = File.OpenRead(path);
        return new RecordedFile(Path.GetFileName(path), stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }
}

/// <summary>How many examples one split holds.</summary>
/// <param name="Split">Split name: <c>train</c>, <c>test</c>, or <c>text</c> for a text dataset.</param>
/// <param name="Count">Number of examples.</param>
/// <param name="Unit">What an example is: <c>images</c> or <c>characters</c>.</param>
public sealed record SplitCount(string Split, int Count, string Unit);
