# %% create_and_compile_model
def create_and_compile_model():
    """Return a compiled dense classifier for 28x28 images with 10 softmax outputs."""
    # dense network with dropout against overfitting
    net = tf.keras.Sequential()
    net.add(tf.keras.Input(shape=(28, 28)))
    net.add(tf.keras.layers.Flatten())
    net.add(tf.keras.layers.Dense(128, activation='relu'))
    net.add(tf.keras.layers.Dropout(0.2))
    net.add(tf.keras.layers.Dense(10, activation='softmax'))
    net.compile(metrics=['accuracy'],
                loss=tf.keras.losses.SparseCategoricalCrossentropy(),
                optimizer=tf.keras.optimizers.Adam(learning_rate=0.001))
    return net
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99%."""

    def on_epoch_end(self, epoch, logs=None):
        metrics = logs or {}
        current = metrics.get('accuracy', 0)
        if current >= 0.99:
            print('\nReached 99% accuracy so cancelling training!')
            self.model.stop_training = True
# %% train_mnist
def train_mnist(training_images, training_labels):
    """Fit a new model for up to 10 epochs with the callback; return the History."""
    m = create_and_compile_model()
    h = m.fit(x=training_images, y=training_labels, epochs=10, callbacks=[EarlyStoppingCallback()], verbose=1)
    return h
