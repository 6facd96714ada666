namespace Invoices;

/// <summary>Invoice arithmetic in whole cents (no floating point for money).</summary>
public static class Invoice
{
    /// <summary>The total of "price_cents*quantity" lines separated by commas; null when a line
    /// is malformed, negative or the total overflows.</summary>
    public static long? Total(string lines)
    {
        long total = 0;
        foreach (var line in lines.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('*');
            if (parts.Length != 2 || !long.TryParse(parts[0], out var price)
                || !int.TryParse(parts[1], out var quantity) || price < 0 || quantity < 1)
            {
                return null;
            }
            try
            {
                total = checked(total + price * quantity);
            }
            catch (OverflowException)
            {
                return null;
            }
        }
        return total;
    }
}
