package dev.agentguard.core.ledger;

/** A reservation refused because keys it checks are suspended: it holds nothing. */
final class SuspendedHold implements Hold {

    private final Suspension[] suspensions;
    private final int first;

    SuspendedHold(Suspension[] suspensions) {
        this.suspensions = suspensions;
        this.first = SuspensionBook.first(suspensions);
    }

    @Override
    public boolean granted() {
        return false;
    }

    @Override
    public int size() {
        return suspensions.length;
    }

    @Override
    public int refusedIndex() {
        return first;
    }

    @Override
    public long usedBefore(int i) {
        return 0;
    }

    @Override
    public Suspension suspension(int i) {
        return suspensions[i];
    }

    @Override
    public String toString() {
        return "Hold{refused at " + first + ", suspended until " + suspensions[first].until() + "}";
    }
}
