package io.sinkron.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionSequencerTest {

    @Test
    void issuesIncreasingSequencesFromOne() {
        SessionSequencer sequencer = new SessionSequencer();

        assertThat(sequencer.next()).isEqualTo(1);
        assertThat(sequencer.next()).isEqualTo(2);
        assertThat(sequencer.ackedSequence()).isZero();
    }

    @Test
    void ackedSequenceIsTheContiguousFinishedPrefix() {
        SessionSequencer sequencer = new SessionSequencer();
        for (int i = 0; i < 6; i++) {
            sequencer.next();
        }

        sequencer.finish(2);
        sequencer.finish(3);
        assertThat(sequencer.ackedSequence()).isZero();
        sequencer.finish(1);
        assertThat(sequencer.ackedSequence()).isEqualTo(3);
        sequencer.finish(5);
        assertThat(sequencer.ackedSequence()).isEqualTo(3);
        sequencer.finish(4);
        assertThat(sequencer.ackedSequence()).isEqualTo(5);
        sequencer.finish(4);
        assertThat(sequencer.ackedSequence()).isEqualTo(5);
        sequencer.finish(6);
        assertThat(sequencer.ackedSequence()).isEqualTo(6);
    }
}
