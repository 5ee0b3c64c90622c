using System.Text;

namespace MuonSharp.Lab.Runs;

/// <summary>
/// Writes a file so that readers see either the old content or the new, never a torn one: write
/// to a temporary file beside it, then rename over. An interrupted run keeps every finished file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Destination.</param>
    /// <param name="text">Content.</param>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Destination.</param>
    /// <param name="bytes">Content.</param>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            DeleteQuietly(temp);   // after a failed write (a full disk) no partial temporary file is left behind
        }
    }

    /// <summary>Lets <paramref name="write"/> produce a file at a temporary path, then renames it over <paramref name="path"/>.</summary>
    /// <param name="path">Destination.</param>
    /// <param name="write">Writes the file at the path it is given.</param>
    public static void Write(string path, Action<string> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(path)}.{Environment.ProcessId}.tmp{Path.GetExtension(path)}");
        try
        {
            write(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            DeleteQuietly(temp);
        }
    }

    private static void DeleteQuietly(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
