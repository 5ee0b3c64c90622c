using System.Buffers;
using System.Text.Unicode;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Data;

/// <summary>Reads a text file as strict UTF-8: a byte that is not UTF-8 is an error naming its offset, never a silent replacement character.</summary>
public static class TextFile
{
    private static readonly byte[] ByteOrderMark = { 0xEF, 0xBB, 0xBF };

    /// <summary>The content of <paramref name="path"/> without a leading byte-order mark.</summary>
    /// <param name="path">A UTF-8 text file.</param>
    /// <exception cref="LabUserException">The file cannot be read, is empty or is not valid UTF-8; the message names it.</exception>
    public static string ReadUtf8(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LabUserException($"Cannot read text file '{path}': {e.Message}");
        }
        int start = bytes.AsSpan().StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
        if (bytes.Length == start) throw new LabUserException($"Text file '{path}' is empty.");

        var chars = new char[bytes.Length - start];
        var status = Utf8.ToUtf16(bytes.AsSpan(start), chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
            throw new LabUserException($"Text file '{path}' is not valid UTF-8: byte 0x{bytes[start + read]:x2} at offset {start + read:N0}.");
        return new string(chars, 0, written);
    }
}
